/* Handlers by resource file. Private to src/api/. */
#ifndef SB_API_HANDLERS_H
#define SB_API_HANDLERS_H

#include "http/req.h"

/* system.c */
enum err h_healthz(struct req *r);
enum err h_readyz(struct req *r);
enum err h_openapi_json(struct req *r);
enum err h_openapi_yaml(struct req *r);
enum err system_openapi_init(struct err_detail *d);
void system_openapi_cleanup(void);

/* auth.c */
enum err h_login(struct req *r);
enum err h_logout(struct req *r);
enum err h_me_get(struct req *r);
enum err h_me_patch(struct req *r);

/* users.c */
enum err h_users_list(struct req *r);

#endif
