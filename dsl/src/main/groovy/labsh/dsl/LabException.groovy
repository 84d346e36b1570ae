package labsh.dsl

import groovy.transform.CompileStatic
import groovy.transform.InheritConstructors

/**
 * A DSL word refused or failed: the message is shown as {@code file:line: message}, the line
 * being the lab script's line that used the word. Throw it (or IllegalArgumentException) from
 * a word's validation.
 */
@CompileStatic
@InheritConstructors
class LabException extends RuntimeException {}
