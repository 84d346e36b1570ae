package labsh.shell;

import java.util.List;
import org.codehaus.groovy.ast.ClassHelper;
import org.codehaus.groovy.ast.ClassNode;
import org.codehaus.groovy.ast.MethodNode;
import org.codehaus.groovy.ast.expr.ArgumentListExpression;
import org.codehaus.groovy.ast.expr.BinaryExpression;
import org.codehaus.groovy.ast.expr.MethodCall;
import org.codehaus.groovy.ast.expr.MethodCallExpression;
import org.codehaus.groovy.ast.expr.PropertyExpression;
import org.codehaus.groovy.ast.expr.VariableExpression;
import org.codehaus.groovy.transform.stc.AbstractTypeCheckingExtension;
import org.codehaus.groovy.transform.stc.StaticTypeCheckingVisitor;
import org.codehaus.groovy.syntax.Types;

/**
 * The type checking extension of shell input: a variable of an earlier line (kept in the
 * script's binding) or declared at the top of this input is known, with its type when there is
 * one. A DSL word that does not exist is still a compile error, with "did you mean" (the point
 * of type checking labs); only calls on a value whose type is unknown ({@code def x}) are left
 * to run time, as Groovy would do without type checking.
 */
public final class BindingVariables extends AbstractTypeCheckingExtension {
    public BindingVariables(StaticTypeCheckingVisitor visitor) { super(visitor); }

    @Override
    public boolean handleUnresolvedVariableExpression(VariableExpression v) {
        ShellVariables vars = ShellVariables.current();
        if (vars == null) return false;
        if (!vars.types.containsKey(v.getName())) {
            // `x = 41` at the prompt defines x, as groovysh does (a binding variable, dynamic)
            BinaryExpression assign = getEnclosingBinaryExpression();
            if (assign == null || assign.getLeftExpression() != v || assign.getOperation().getType() != Types.ASSIGN) return false;
            vars.types.put(v.getName(), null);
        }
        ClassNode type = vars.types.get(v.getName());
        if (type == null) makeDynamic(v);
        else makeDynamic(v, type);
        return true;
    }

    @Override
    public boolean handleUnresolvedProperty(PropertyExpression p) {
        if (!unknownType(getType(p.getObjectExpression()))) return false;
        makeDynamic(p);
        return true;
    }

    @Override
    public List<MethodNode> handleMissingMethod(ClassNode receiver, String name, ArgumentListExpression args,
                                                ClassNode[] argTypes, MethodCall call) {
        boolean implicitThis = call instanceof MethodCallExpression m && m.isImplicitThis();
        ShellVariables vars = ShellVariables.current();
        // f(x) where f is a closure kept in a variable: Groovy calls the variable's value
        if (implicitThis && vars != null && vars.types.containsKey(name)) return List.of(makeDynamic(call));
        if (!unknownType(receiver) || implicitThis) return List.of();
        return List.of(makeDynamic(call));
    }

    private static boolean unknownType(ClassNode t) {
        return t == null || t.equals(ClassHelper.OBJECT_TYPE) || t.equals(ClassHelper.DYNAMIC_TYPE);
    }
}
