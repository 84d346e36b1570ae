package labsh.shell;

import java.util.List;
import org.codehaus.groovy.ast.ClassHelper;
import org.codehaus.groovy.ast.ClassNode;
import org.codehaus.groovy.ast.MethodNode;
import org.codehaus.groovy.ast.expr.ArgumentListExpression;
import org.codehaus.groovy.ast.expr.MethodCall;
import org.codehaus.groovy.ast.expr.PropertyExpression;
import org.codehaus.groovy.ast.expr.VariableExpression;
import org.codehaus.groovy.transform.stc.AbstractTypeCheckingExtension;
import org.codehaus.groovy.transform.stc.StaticTypeCheckingVisitor;

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
        if (vars == null || !vars.types.containsKey(v.getName())) return false;
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
        if (!unknownType(receiver) || call instanceof org.codehaus.groovy.ast.expr.MethodCallExpression m && m.isImplicitThis()) return List.of();
        return List.of(makeDynamic(call));
    }

    private static boolean unknownType(ClassNode t) {
        return t == null || t.equals(ClassHelper.OBJECT_TYPE) || t.equals(ClassHelper.DYNAMIC_TYPE);
    }
}
