package labsh.dsl

import groovy.transform.CompileStatic
import labsh.kernel.KernelException
import labsh.kernel.Namespaces
import labsh.kernel.Privilege
import org.codehaus.groovy.runtime.InvokerInvocationException

import java.lang.reflect.InvocationTargetException
import java.lang.reflect.UndeclaredThrowableException

/**
 * An error pointing at the user's line, read like a compiler's: {@code labs/ex5.groovy:3: message}.
 * Made either from a compile error ({@link LabCompiler}) or from an exception thrown while the lab
 * ran, using the lab script's own frame in the stack trace ({@link #of}).
 */
@CompileStatic
class LabError {
    /** The script as the user named it. */
    String file
    /** 1-based; 0 when the error has no line. */
    int line
    /** 1-based; 0 when unknown. */
    int column
    String message
    /** The source line, for the caret display; null when not known. */
    String sourceLine

    /** {@code file:line: message}, one line (the message itself may hold a power-assert diagram). */
    @Override
    String toString() {
        (line > 0 ? "${file}:${line}: " : "${file}: ") + message
    }

    /** {@link #toString} plus the source line and a caret under the column, like javac. */
    String render() {
        if (sourceLine == null || column <= 0) return toString()
        // keep tabs so that the caret lines up with the line as the terminal shows it
        String pad = sourceLine.take(column - 1).collect { String ch -> ch == '\t' ? '\t' : ' ' }.join('')
        toString() + '\n    ' + sourceLine + '\n    ' + pad + '^'
    }

    /**
     * The error for {@code t}, at the innermost frame of the lab script (its class or one of its
     * closures, {@code ex5$_run_closure1}). Java's own exceptions keep their class name so the
     * reader knows what happened; labsh's exceptions are already sentences.
     */
    static LabError of(Throwable t, String scriptClass, String file) {
        Throwable e = unwrap(t)
        new LabError(file: file, line: lineIn(e, scriptClass), message: messageOf(e))
    }

    /** The line of the innermost lab-script frame of {@code t}, or 0. */
    static int lineIn(Throwable t, String scriptClass) {
        for (Throwable e = t; e != null; e = e.cause) {
            for (StackTraceElement f : e.stackTrace) {
                if ((f.className == scriptClass || f.className.startsWith(scriptClass + '$')) && f.lineNumber > 0) {
                    return f.lineNumber
                }
            }
        }
        0
    }

    static Throwable unwrap(Throwable t) {
        Throwable e = t
        while ((e instanceof InvokerInvocationException || e instanceof InvocationTargetException
                || e instanceof UndeclaredThrowableException) && e.cause != null) {
            e = e.cause
        }
        e
    }

    static String messageOf(Throwable t) {
        String m = t.message
        boolean sentence = t instanceof KernelException || t instanceof Privilege.PrivilegeException ||
                t instanceof Namespaces.NoSuchProcessException || t instanceof LabException ||
                t instanceof IllegalArgumentException || t instanceof IllegalStateException ||
                t instanceof UncheckedIOException
        if (t instanceof AssertionError) return 'assertion failed:\n' + m
        if (sentence && m) return m
        t.class.simpleName + (m ? ': ' + m : '')
    }
}
