package labsh.dsl

import groovy.transform.CompileStatic

/** A lab as it runs: its title, and each step and check in the order they ran. */
@CompileStatic
class Lab {
    String title
    final List<Step> steps = []
    /** Every check, also those made outside a step. */
    final List<Check> checks = []

    Step begin(String name) {
        Step s = new Step(number: steps.size() + 1, name: name)
        steps << s
        s
    }

    /** The step called {@code name}, or null. */
    Step step(String name) { steps.find { Step s -> s.name == name } }

    boolean isFailed() { steps.any { Step s -> s.failed } || checks.any { Check c -> !c.passed } }
}
