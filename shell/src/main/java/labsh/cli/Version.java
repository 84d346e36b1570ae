package labsh.cli;

import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** The version Maven wrote into the jar (META-INF/maven/.../pom.properties), with the JVM's. */
public final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {"labsh " + version(), "Java " + System.getProperty("java.version")
                + " (" + System.getProperty("java.vm.name") + ")"};
    }

    static String version() {
        try (InputStream in = Version.class.getResourceAsStream("/META-INF/maven/labsh/labsh-shell/pom.properties")) {
            if (in == null) return "dev";
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "dev");
        } catch (Exception e) {
            return "dev";
        }
    }
}
