package labsh.dsl

import groovy.transform.CompileStatic
import org.codehaus.groovy.ast.ClassCodeVisitorSupport
import org.codehaus.groovy.ast.ClassNode
import org.codehaus.groovy.ast.MethodNode
import org.codehaus.groovy.ast.Parameter
import org.codehaus.groovy.ast.expr.*
import org.codehaus.groovy.ast.stmt.*
import org.codehaus.groovy.classgen.GeneratorContext
import org.codehaus.groovy.control.CompilePhase
import org.codehaus.groovy.control.SourceUnit
import org.codehaus.groovy.control.customizers.CompilationCustomizer

/**
 * Two jobs on a lab script's syntax tree, before the type checker runs:
 * <ol>
 * <li>In {@code check('what') { ... }} the closure's last expression becomes a Groovy power assert
 *     followed by {@code return true}, so a failing check shows the values compared
 *     ({@code queues.size() == 2 / | / 1 false}) without the lab writing {@code assert}.</li>
 * <li>Collects the names the script declares (variables, closure parameters, methods) so that a
 *     typo can be matched against them as well as against the DSL's words.</li>
 * </ol>
 */
@CompileStatic
class CheckAsPowerAssert extends CompilationCustomizer {
    /** Names declared by the script, for "did you mean" suggestions. */
    final Set<String> declaredNames = new TreeSet<>()

    CheckAsPowerAssert() {
        super(CompilePhase.CANONICALIZATION)
    }

    @Override
    void call(SourceUnit source, GeneratorContext context, ClassNode classNode) {
        if (classNode.isScript()) {
            for (MethodNode m : classNode.methods) {
                if (m.lineNumber > 0) declaredNames << m.name
            }
        }
        new Visitor(source).visitClass(classNode)
    }

    private class Visitor extends ClassCodeVisitorSupport {
        final SourceUnit sourceUnit

        Visitor(SourceUnit sourceUnit) { this.sourceUnit = sourceUnit }

        @Override
        void visitDeclarationExpression(DeclarationExpression e) {
            if (e.isMultipleAssignmentDeclaration()) {
                for (Expression v : e.tupleExpression.expressions) {
                    if (v instanceof VariableExpression) declaredNames << ((VariableExpression) v).name
                }
            } else {
                declaredNames << e.variableExpression.name
            }
            super.visitDeclarationExpression(e)
        }

        @Override
        void visitClosureExpression(ClosureExpression e) {
            for (Parameter p : (e.parameters ?: new Parameter[0])) declaredNames << p.name
            super.visitClosureExpression(e)
        }

        @Override
        void visitMethodCallExpression(MethodCallExpression call) {
            if (call.implicitThis && call.methodAsString == 'check' && call.arguments instanceof TupleExpression) {
                List<Expression> args = ((TupleExpression) call.arguments).expressions
                if (args && args.last() instanceof ClosureExpression) {
                    assertLast((ClosureExpression) args.last())
                }
            }
            super.visitMethodCallExpression(call)
        }

        private static void assertLast(ClosureExpression closure) {
            if (!(closure.code instanceof BlockStatement)) return
            List<Statement> statements = ((BlockStatement) closure.code).statements
            if (statements.isEmpty()) return
            Statement last = statements.last()
            Expression condition = null
            if (last instanceof ExpressionStatement && !(((ExpressionStatement) last).expression instanceof DeclarationExpression)) {
                condition = ((ExpressionStatement) last).expression
            } else if (last instanceof ReturnStatement) {
                condition = ((ReturnStatement) last).expression
            }
            if (condition != null) {
                // the power assert prints the source text between these positions: keep the original's
                BooleanExpression test = new BooleanExpression(condition)
                test.setSourcePosition(condition)
                AssertStatement assertion = new AssertStatement(test)
                assertion.setSourcePosition(last)
                statements.set(statements.size() - 1, assertion)
                statements.add(new ReturnStatement(new ConstantExpression(Boolean.TRUE)))
            } else if (last instanceof AssertStatement) {
                statements.add(new ReturnStatement(new ConstantExpression(Boolean.TRUE)))
            }
        }
    }
}
