/* expr.h - a tiny integer expression language for output captures ("b - a == 2").
 *
 * Grammar (C precedence, 64-bit signed integers, wrapping arithmetic):
 *   expr   := or
 *   or     := and ("||" and)*
 *   and    := eq ("&&" eq)*
 *   eq     := rel (("==" | "!=") rel)*
 *   rel    := add (("<" | "<=" | ">" | ">=") add)*
 *   add    := mul (("+" | "-") mul)*
 *   mul    := unary (("*" | "/" | "%") unary)*
 *   unary  := ("-" | "+" | "!") unary | primary
 *   primary:= NUMBER (decimal or 0x hex) | NAME | "(" expr ")"
 * Comparisons and logical operators give 0 or 1; && and || short-circuit.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

struct lab_expr_var {
	const char *name;
	int64_t value;
};

/*
 * Evaluate src with the given variables.  0 and *value set, or -EINVAL with
 * a message in err (syntax error, unknown name, division by zero, overflow).
 */
int lab_expr_eval(const char *src, const struct lab_expr_var *vars, size_t nvars,
		  int64_t *value, char *err, size_t errlen);

/* Check src's syntax and that it names only names[0..n); 0 or -EINVAL with err. */
int lab_expr_check(const char *src, char *const *names, size_t nnames, char *err, size_t errlen);
