/* The server's routes: one const table, readable in one place, checked
 * against openapi.yaml by the tests. Handlers live in one file per resource. */
#ifndef SB_API_API_H
#define SB_API_API_H

#include <stddef.h>

#include "core/err.h"
#include "http/router.h"

extern const struct route api_routes[];
extern const size_t api_routes_count;

/* Start-up work before threads start (converts the embedded OpenAPI YAML to JSON). */
enum err api_init(struct err_detail *d);
void api_cleanup(void);

#endif
