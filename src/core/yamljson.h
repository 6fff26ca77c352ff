/* YAML to JSON: turns one YAML document (the subset OpenAPI files use) into a
 * jansson value, so the server can serve openapi.yaml as JSON and tests can
 * read it. Built on libyaml's event parser; no YAML tree is kept. */
#ifndef SB_CORE_YAMLJSON_H
#define SB_CORE_YAMLJSON_H

#include <stddef.h>

#include <jansson.h>

#include "core/err.h"

/* Collections nested deeper than this are rejected (the walk is recursive). */
#define YAMLJSON_MAX_DEPTH 128

/* Parses one YAML document of len bytes (need not be NUL-terminated) into a
 * new JSON value; the caller owns the reference in *out (json_decref).
 *
 * Plain scalars resolve per the YAML 1.2 core schema: null/Null/NULL/~/empty
 * -> null; true/True/TRUE/false/False/FALSE -> booleans; decimal, 0o octal and
 * 0x hex integers -> integers; decimal floats (1.5, .5, 1e3) -> reals; anything
 * else (yes, on, 1_000, 0b1) -> a string. Quoted, literal (|) and folded (>)
 * scalars are always strings. Mapping keys keep document order; a scalar key
 * is taken as its text, so `200:` gives the key "200". Explicit tags !!str,
 * !!null, !!bool, !!int, !!float, !!seq, !!map and "!" are honoured.
 * Empty input (or only comments) gives JSON null.
 *
 * Errors, with "line L, column C" (1-based) in d->detail; d may be NULL:
 *   ERR_INVALID  syntax errors, invalid UTF-8, aliases, other tags, mapping or
 *                sequence keys, keys containing NUL, duplicate keys, more than
 *                one document, .inf/.nan, integers outside int64, nesting past
 *                YAMLJSON_MAX_DEPTH.
 *   ERR_NOMEM    an allocation failed.
 * On error *out is NULL. Anchors are allowed (and ignored); aliases are not. */
enum err yamljson_parse(const char *yaml, size_t len, json_t **out, struct err_detail *d);

#endif
