/* router.h - matches a request's method and path against a table of routes
 * ("/v1/agents/{id}/stats"); each route declares who may call it. The table
 * itself, the one place that says which role may do what, is routes.c. */
#ifndef HEED_ROUTER_H
#define HEED_ROUTER_H

#include <stddef.h>

/* Roles of API keys, as bits of heed_srv_route.roles. */
#define HEED_SRV_ROLE_AGENT 0x1u /* the reply checker, analysis, their own stats */
#define HEED_SRV_ROLE_LEAD 0x2u  /* + their team's data */
#define HEED_SRV_ROLE_ADMIN 0x4u /* everything, keys included */
#define HEED_SRV_ROLE_INGEST 0x8u /* posts records (a helpdesk webhook); reads nothing */
#define HEED_SRV_ROLES_ALL 0x7u  /* the reading roles: agent, lead, admin */
#define HEED_SRV_PUBLIC 0x0u     /* no key needed */

/* "admin" -> HEED_SRV_ROLE_ADMIN, ...; 0 for an unknown name. */
unsigned heed_srv_role_bit(const char *name);
/* The name of one role bit; "?" otherwise. */
const char *heed_srv_role_name(unsigned bit);

#define HEED_SRV_MAX_PARAMS 4
#define HEED_SRV_PARAM_MAX 128 /* longest value of one {param}, bytes */

typedef struct heed_srv_params {
    size_t n;
    const char *name[HEED_SRV_MAX_PARAMS]; /* the pattern's names (static) */
    char value[HEED_SRV_MAX_PARAMS][HEED_SRV_PARAM_MAX + 1];
} heed_srv_params;

struct heed_srv_req;
typedef void (*heed_srv_handler)(struct heed_srv_req *rq);

typedef struct heed_srv_route {
    const char *method;   /* "GET", "POST", ... */
    const char *pattern;  /* "/v1/keys", "/v1/agents/{id}"; a {param} is one
                           * non-empty path segment */
    unsigned roles;       /* HEED_SRV_ROLE_* allowed, or HEED_SRV_PUBLIC */
    int counts_analyses;  /* 1: the route's work shows in the analysis metrics */
    heed_srv_handler fn;
} heed_srv_route;

/* The routes (routes.c) and their number. */
extern const heed_srv_route heed_srv_routes[];
extern const size_t heed_srv_n_routes;

/* Finds the route for method + path. Returns its index, or -1 when no pattern
 * matches the path (404), or -2 when a pattern matches but not with this
 * method (405; *allow then lists the methods that would, "GET, POST"). */
int heed_srv_route_find(const heed_srv_route *routes, size_t n, const char *method,
                        const char *path, heed_srv_params *params, char *allow,
                        size_t allow_cap);

#endif
