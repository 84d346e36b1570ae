package labsh.shell;

import org.codehaus.groovy.ast.ClassNode;
import org.codehaus.groovy.ast.MethodNode;
import org.codehaus.groovy.ast.Parameter;
import org.codehaus.groovy.ast.expr.BinaryExpression;
import org.codehaus.groovy.ast.expr.CastExpression;
import org.codehaus.groovy.ast.expr.ConstantExpression;
import org.codehaus.groovy.ast.expr.DeclarationExpression;
import org.codehaus.groovy.ast.expr.EmptyExpression;
import org.codehaus.groovy.ast.expr.Expression;
import org.codehaus.groovy.ast.expr.VariableExpression;
import org.codehaus.groovy.ast.stmt.BlockStatement;
import org.codehaus.groovy.ast.stmt.ExpressionStatement;
import org.codehaus.groovy.ast.stmt.Statement;
import org.codehaus.groovy.classgen.GeneratorContext;
import org.codehaus.groovy.control.CompilePhase;
import org.codehaus.groovy.control.SourceUnit;
import org.codehaus.groovy.control.customizers.CompilationCustomizer;
import org.codehaus.groovy.syntax.Token;
import org.codehaus.groovy.syntax.Types;

/**
 * Turns the top-level declarations of a script ({@code def c = container()}, {@code Server s})
 * into assignments to the script's binding, before variable scopes are resolved: a variable
 * declared on one shell line is then still there on the next, as in groovysh's interpreter mode.
 * The declared type is kept for the type checker ({@link ShellVariables}).
 */
final class TopLevelDeclarations extends CompilationCustomizer {
    TopLevelDeclarations() { super(CompilePhase.CONVERSION); }

    @Override
    public void call(SourceUnit source, GeneratorContext context, ClassNode classNode) {
        if (!classNode.isScript()) return;
        MethodNode run = classNode.getMethod("run", Parameter.EMPTY_ARRAY);
        if (run == null || !(run.getCode() instanceof BlockStatement block)) return;
        ShellVariables vars = ShellVariables.current();
        for (Statement st : block.getStatements()) {
            if (!(st instanceof ExpressionStatement es) || !(es.getExpression() instanceof DeclarationExpression d)
                    || d.isMultipleAssignmentDeclaration()) continue;
            VariableExpression v = d.getVariableExpression();
            Expression value = d.getRightExpression() instanceof EmptyExpression ? ConstantExpression.NULL : d.getRightExpression();
            if (!v.isDynamicTyped()) {
                // `String s = x` becomes `s = x as String`: the type node stays in the tree, so the
                // compiler resolves it (String is still a name at this phase) for the type checker too
                value = CastExpression.asExpression(v.getOriginType(), value);
            }
            if (vars != null) vars.types.put(v.getName(), v.isDynamicTyped() ? null : v.getOriginType());
            VariableExpression target = new VariableExpression(v.getName());
            target.setSourcePosition(v);
            BinaryExpression assign = new BinaryExpression(target, Token.newSymbol(Types.ASSIGN, d.getOperation().getStartLine(),
                    d.getOperation().getStartColumn()), value);
            assign.setSourcePosition(d);
            es.setExpression(assign);
        }
    }
}
