package labsh.shell;

import java.util.LinkedHashMap;
import java.util.Map;
import org.codehaus.groovy.ast.ClassHelper;
import org.codehaus.groovy.ast.ClassNode;

/**
 * The shell's variables as the type checker sees them while one input compiles: a name typed on
 * an earlier line (its value's class, so {@code srv.infoLines()} is still checked) or declared
 * by this input (its declared type, or dynamic for {@code def}). Set on the compiling thread by
 * {@link LineCompiler}, read by {@link BindingVariables}.
 */
final class ShellVariables {
    private static final ThreadLocal<ShellVariables> CURRENT = new ThreadLocal<>();

    /** Name to type; a null type means "dynamic" (def, or a value of no useful class). */
    final Map<String, ClassNode> types = new LinkedHashMap<>();

    static ShellVariables current() { return CURRENT.get(); }

    static void set(ShellVariables v) {
        if (v == null) CURRENT.remove();
        else CURRENT.set(v);
    }

    /** The type a later line may rely on for {@code value}: its class, unless an earlier line's script defined it. */
    static ClassNode typeOf(Object value) {
        if (value == null) return null;
        Class<?> c = value.getClass();
        // closures and classes of earlier inputs live in their own class loaders: treat them as dynamic
        if (c.getClassLoader() instanceof groovy.lang.GroovyClassLoader || c.isAnonymousClass() || c.isSynthetic()) return null;
        if (!java.lang.reflect.Modifier.isPublic(c.getModifiers())) return null;
        return ClassHelper.make(c);
    }
}
