package labsh.dsl

import groovy.transform.CompileStatic
import groovy.transform.Memoized
import groovy.transform.TypeChecked
import org.codehaus.groovy.control.CompilationFailedException
import org.codehaus.groovy.control.CompilerConfiguration
import org.codehaus.groovy.control.MultipleCompilationErrorsException
import org.codehaus.groovy.control.customizers.ASTTransformationCustomizer
import org.codehaus.groovy.control.customizers.ImportCustomizer
import org.codehaus.groovy.control.messages.ExceptionMessage
import org.codehaus.groovy.control.messages.Message
import org.codehaus.groovy.control.messages.SimpleMessage
import org.codehaus.groovy.control.messages.SyntaxErrorMessage
import org.codehaus.groovy.syntax.SyntaxException

import java.lang.reflect.Method
import java.lang.reflect.Modifier
import java.nio.charset.StandardCharsets
import java.nio.file.Files
import java.nio.file.Path

/**
 * Compiles a lab script: {@link LabScript} as its base class, {@code @TypeChecked} on all of it so
 * that a mistyped word, variable or property is a compile error at the script's line before
 * anything runs, and the checks' power asserts ({@link CheckAsPowerAssert}). Groovy's messages
 * ("[Static type checking] - Cannot find matching method ex5#contianer(java.lang.String) ...")
 * are rewritten for students: {@code labs/ex5.groovy:3: unknown word 'contianer' — did you mean 'container'?}
 */
@CompileStatic
class LabCompiler {

    /** Compiles the lab at {@code file}; {@code displayPath} is how messages name it. */
    Class<? extends LabScript> compile(Path file, String displayPath = file.toString()) {
        if (!Files.isRegularFile(file)) {
            throw new LabCompileException([new LabError(file: displayPath, message: 'no such lab script')])
        }
        compile(new String(Files.readAllBytes(file), StandardCharsets.UTF_8), file.fileName.toString(), displayPath)
    }

    /** Compiles lab source text; {@code fileName} (ex5.groovy) also names the class. */
    Class<? extends LabScript> compile(String source, String fileName, String displayPath = fileName) {
        CheckAsPowerAssert checks = new CheckAsPowerAssert()
        CompilerConfiguration cc = new CompilerConfiguration()
        cc.scriptBaseClass = LabScript.name
        cc.sourceEncoding = 'UTF-8'
        List<String> extensions = typeCheckingExtensions()
        cc.addCompilationCustomizers(
                new ImportCustomizer().addStarImports('labsh.dsl', 'labsh.kernel'),
                checks,
                extensions ? new ASTTransformationCustomizer([extensions: extensions], TypeChecked)
                           : new ASTTransformationCustomizer(TypeChecked))
        customize(cc)
        GroovyClassLoader loader = new GroovyClassLoader(LabScript.classLoader, cc)
        try {
            Class<?> c = loader.parseClass(new GroovyCodeSource(source, className(fileName), '/groovy/script'), false)
            return c.asSubclass(LabScript)
        } catch (MultipleCompilationErrorsException e) {
            List<String> lines = source.readLines()
            Set<String> names = new TreeSet<>(checks.declaredNames)
            names.addAll(knownNames())
            List<LabError> errors = e.errorCollector.errors.collect { Message m ->
                toLabError(m, displayPath, lines, names, loader)
            }
            // one error per line: the first is the cause, later ones on its line are its echoes
            // (an unknown property makes the call around it "wrong arguments" too)
            Set<Integer> seen = new HashSet<>()
            throw new LabCompileException(errors.findAll { LabError err -> err.line == 0 || seen.add(err.line) })
        } catch (CompilationFailedException e) {
            throw new LabCompileException([new LabError(file: displayPath, message: e.message)])
        }
    }

    /** Hook: more compilation customizers (the shell keeps top-level variables in the binding). */
    protected void customize(CompilerConfiguration cc) {}

    /** Hook: type checking extensions (class names) for {@code @TypeChecked}. */
    protected List<String> typeCheckingExtensions() { [] }

    /** Hook: names defined outside the script (the shell's variables), offered in "did you mean". */
    protected Set<String> knownNames() { [] as Set<String> }

    /**
     * The words of the DSL: the public methods of LabScript and its traits, not those of Script.
     * Read by reflection once (the shell asks on every TAB and help).
     */
    @Memoized
    static SortedSet<String> words() {
        SortedSet<String> words = new TreeSet<>()
        for (Method m : LabScript.methods) {
            Class<?> owner = m.declaringClass
            if (owner == Object || owner == Script || owner == GroovyObject || owner == GroovyObjectSupport) continue
            if (Modifier.isStatic(m.modifiers) || m.synthetic) continue
            String n = m.name
            if (n.contains('$') || n.contains('__') || n == 'run' || isAccessor(m)) continue
            words << n
        }
        Collections.unmodifiableSortedSet(words)
    }

    /** A property's getter or setter (labshPid, currentStep): not a word; isFifo(path) is one. */
    private static boolean isAccessor(Method m) {
        (m.name ==~ /(get|is)[A-Z].*/ && m.parameterCount == 0) || (m.name ==~ /set[A-Z].*/ && m.parameterCount == 1)
    }

    /** The members of every type a word's closure delegates to (its @DelegatesTo value). */
    static Set<String> delegateMembers(GroovyClassLoader loader) {
        Set<String> names = new TreeSet<>()
        for (Method m : LabScript.methods) {
            for (java.lang.annotation.Annotation[] annotations : m.parameterAnnotations) {
                for (java.lang.annotation.Annotation a : annotations) {
                    if (a instanceof DelegatesTo && ((DelegatesTo) a).value() != DelegatesTo.Target && ((DelegatesTo) a).value() != LabScript) {
                        names.addAll(membersOf(((DelegatesTo) a).value().name, loader))
                    }
                }
            }
        }
        names
    }

    private static String className(String fileName) {
        String base = fileName.replaceFirst(/\.groovy$/, '')
        base.matches(/[A-Za-z_$][A-Za-z0-9_$]*/) ? fileName : base.replaceAll(/[^A-Za-z0-9_$]/, '_') + '.groovy'
    }

    private static LabError toLabError(Message m, String file, List<String> lines, Set<String> declared, GroovyClassLoader loader) {
        if (m instanceof SyntaxErrorMessage) {
            SyntaxException se = ((SyntaxErrorMessage) m).cause
            int line = se.line
            return new LabError(file: file, line: line, column: se.startColumn,
                    message: explain(se.originalMessage, declared, loader),
                    sourceLine: line > 0 && line <= lines.size() ? lines[line - 1] : null)
        }
        if (m instanceof ExceptionMessage) {
            return new LabError(file: file, message: ((ExceptionMessage) m).cause.message)
        }
        if (m instanceof SimpleMessage) return new LabError(file: file, message: ((SimpleMessage) m).message)
        new LabError(file: file, message: m.toString())
    }

    /** Groovy's compiler message, as a sentence about the lab. */
    static String explain(String groovyMessage, Set<String> declared, GroovyClassLoader loader) {
        String msg = groovyMessage.replaceFirst(/^\[Static type checking\] - /, '')
        def method = msg =~ /Cannot find matching method (\S+?)#(\w+)\((.*?)\)/
        if (method.find()) {
            String receiver = method.group(1), name = method.group(2), argTypes = simpleTypes(method.group(3))
            if (isScript(receiver, loader)) {
                Set<String> words = words()
                if (words.contains(name) || declared.contains(name)) {
                    return "wrong arguments for '${name}': (${argTypes}) does not match ${signatures(name)}"
                }
                // inside a word's closure the delegate's methods (a container's hostname ...) are words too
                return "unknown word '${name}'" + didYouMean(name, words + declared + delegateMembers(loader))
            }
            Set<String> members = membersOf(receiver, loader)
            if (members.contains(name)) return "wrong arguments for ${simpleType(receiver)}.${name}(${argTypes})"
            return "unknown method '${name}' on ${simpleType(receiver)}" + didYouMean(name, members)
        }
        def variable = msg =~ /The variable \[(\w+)\] is undeclared/
        if (variable.find()) {
            String name = variable.group(1)
            return "unknown name '${name}'" + didYouMean(name, declared + words())
        }
        def property = msg =~ /No such property: (\w+) for class: (\S+)/
        if (property.find()) {
            String name = property.group(1), receiver = property.group(2)
            if (isScript(receiver, loader)) return "unknown name '${name}'" + didYouMean(name, declared + words())
            return "unknown property '${name}' on ${simpleType(receiver)}" + didYouMean(name, membersOf(receiver, loader))
        }
        // a plain syntax error: drop Groovy's " @ line 3, column 5." (the location is already in front)
        msg.replaceFirst(/\s*@ line \d+, column \d+\.?\s*$/, '').replaceAll(/\bjava\.lang\.|\bjava\.util\./, '')
    }

    private static String didYouMean(String typed, Collection<String> candidates) {
        String s = Suggest.closest(typed, candidates)
        s ? " — did you mean '${s}'?" : ''
    }

    private static boolean isScript(String className, GroovyClassLoader loader) {
        if (className == LabScript.name) return true
        Class<?> c = load(className, loader)
        c == null || LabScript.isAssignableFrom(c) // the script's own class is not loadable yet: it is the script
    }

    private static Set<String> membersOf(String className, GroovyClassLoader loader) {
        Class<?> c = load(className, loader)
        if (c == null) return [] as Set<String>
        Set<String> names = new TreeSet<>()
        for (Method m : c.methods) {
            if (m.declaringClass == Object || m.declaringClass == GroovyObject || m.name.contains('$')) continue
            names << m.name
            def accessor = m.name =~ /^(?:get|is)([A-Z]\w*)$/
            if (accessor.matches() && m.parameterCount == 0) names << accessor.group(1).uncapitalize()
        }
        names
    }

    private static Class<?> load(String className, GroovyClassLoader loader) {
        try {
            return Class.forName(className, false, loader)
        } catch (ClassNotFoundException | LinkageError ignored) {
            return null
        }
    }

    private static String signatures(String word) {
        LabScript.methods.findAll { Method m -> m.name == word }
                .collect { Method m -> "${word}(${m.parameterTypes.collect { Class<?> t -> t.simpleName }.join(', ')})" }
                .unique().sort().join(' or ')
    }

    private static String simpleTypes(String types) {
        types.split(/,\s*/).findAll { String t -> t }.collect { String t -> simpleType(t) }.join(', ')
    }

    private static String simpleType(String t) { t.replaceAll(/[\w.]*\./, '').replace('<unknown parameter type>', '?') }
}
