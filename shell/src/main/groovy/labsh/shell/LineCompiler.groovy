package labsh.shell

import groovy.transform.CompileStatic
import labsh.dsl.LabCompiler
import labsh.dsl.LabScript
import org.codehaus.groovy.control.CompilerConfiguration

/**
 * The lab compiler with the shell's relaxation: top-level variables live in the shell's binding
 * (so what one line starts, the next can use) and are known to the type checker; everything
 * else is as for labs, so a mistyped word is still "unknown word 'sever' — did you mean 'server'?".
 */
@CompileStatic
class LineCompiler extends LabCompiler {
    private final Binding binding

    LineCompiler(Binding binding) { this.binding = binding }

    @Override
    Class<? extends LabScript> compile(String source, String fileName, String displayPath) {
        ShellVariables vars = new ShellVariables()
        binding.variables.each { Object k, Object v -> vars.types.put(k as String, ShellVariables.typeOf(v)) }
        ShellVariables.set(vars)
        try {
            return super.compile(source, fileName, displayPath)
        } finally {
            ShellVariables.set(null)
        }
    }

    @Override
    protected void customize(CompilerConfiguration cc) { cc.addCompilationCustomizers(new TopLevelDeclarations()) }

    @Override
    protected List<String> typeCheckingExtensions() { [BindingVariables.name] }

    @Override
    protected Set<String> knownNames() { binding.variables.keySet().collect { it as String } as Set<String> }
}
