/* router.c - route matching (router.h): a linear walk over a short table,
 * segment by segment, no allocation. */
#include "router.h"

#include <stdio.h>
#include <string.h>

unsigned heed_srv_role_bit(const char *name)
{
    if (!strcmp(name, "agent"))
        return HEED_SRV_ROLE_AGENT;
    if (!strcmp(name, "lead"))
        return HEED_SRV_ROLE_LEAD;
    if (!strcmp(name, "admin"))
        return HEED_SRV_ROLE_ADMIN;
    if (!strcmp(name, "ingest"))
        return HEED_SRV_ROLE_INGEST;
    return 0;
}

const char *heed_srv_role_name(unsigned bit)
{
    return bit == HEED_SRV_ROLE_AGENT ? "agent"
           : bit == HEED_SRV_ROLE_LEAD ? "lead"
           : bit == HEED_SRV_ROLE_ADMIN ? "admin"
           : bit == HEED_SRV_ROLE_INGEST ? "ingest"
                                        : "?";
}

/* 1 when path matches pattern, filling params. */
static int match(const char *pat, const char *path, heed_srv_params *pr)
{
    pr->n = 0;
    while (*pat && *path) {
        if (*pat == '{') {
            const char *close = strchr(pat, '}');
            size_t seg = strcspn(path, "/");
            if (!close || seg == 0 || seg > HEED_SRV_PARAM_MAX || pr->n == HEED_SRV_MAX_PARAMS)
                return 0;
            pr->name[pr->n] = pat + 1; /* up to '}'; callers compare with strncmp */
            memcpy(pr->value[pr->n], path, seg);
            pr->value[pr->n][seg] = 0;
            pr->n++;
            pat = close + 1;
            path += seg;
            continue;
        }
        if (*pat != *path)
            return 0;
        pat++;
        path++;
    }
    return !*pat && !*path;
}

int heed_srv_route_find(const heed_srv_route *routes, size_t n, const char *method,
                        const char *path, heed_srv_params *params, char *allow,
                        size_t allow_cap)
{
    int path_seen = 0;
    size_t used = 0;
    if (allow_cap)
        allow[0] = 0;
    for (size_t i = 0; i < n; i++) {
        if (!match(routes[i].pattern, path, params))
            continue;
        if (!strcmp(routes[i].method, method))
            return (int)i;
        path_seen = 1;
        if (allow_cap && used < allow_cap) {
            int w = snprintf(allow + used, allow_cap - used, "%s%s", used ? ", " : "",
                             routes[i].method);
            if (w > 0)
                used += (size_t)w;
        }
    }
    params->n = 0;
    return path_seen ? -2 : -1;
}
