/* openapi_check.c - checks a response body against the schema docs/openapi.json
 * gives for its route and status, so the server tests hold the document to
 * what the server really sends. Supports the subset of OpenAPI 3.0 schemas the
 * document uses: $ref, type, nullable, required, properties,
 * additionalProperties:false, items, enum, oneOf, allOf, minimum, maximum,
 * minItems, maxItems.
 *
 * Usage: openapi_check SPEC METHOD PATH STATUS BODYFILE
 * Exit 0 when the body fits, 1 with the first mismatch on stderr, 2 on usage. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static cJSON *spec;
static char why[512];

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
        free(s);
        s = NULL;
    }
    if (s)
        s[n] = 0;
    fclose(f);
    return s;
}

/* "#/components/schemas/X/properties/y" */
static const cJSON *deref(const cJSON *s)
{
    for (int hops = 0; hops < 32; hops++) {
        const cJSON *r = cJSON_GetObjectItemCaseSensitive(s, "$ref");
        if (!cJSON_IsString(r))
            return s;
        const char *p = r->valuestring;
        if (strncmp(p, "#/", 2))
            return NULL;
        const cJSON *at = spec;
        char part[128];
        for (p += 2; *p && at;) {
            size_t n = strcspn(p, "/");
            if (n >= sizeof part)
                return NULL;
            memcpy(part, p, n);
            part[n] = 0;
            at = cJSON_GetObjectItemCaseSensitive(at, part);
            p += n;
            if (*p == '/')
                p++;
        }
        if (!at)
            return NULL;
        s = at;
    }
    return NULL;
}

static int check(const cJSON *v, const cJSON *s, const char *path);

static int type_ok(const cJSON *v, const char *t)
{
    if (!strcmp(t, "object"))
        return cJSON_IsObject(v);
    if (!strcmp(t, "array"))
        return cJSON_IsArray(v);
    if (!strcmp(t, "string"))
        return cJSON_IsString(v);
    if (!strcmp(t, "boolean"))
        return cJSON_IsBool(v);
    if (!strcmp(t, "number"))
        return cJSON_IsNumber(v);
    if (!strcmp(t, "integer"))
        return cJSON_IsNumber(v) && v->valuedouble == floor(v->valuedouble);
    return 0;
}

static int fail(const char *path, const char *what)
{
    snprintf(why, sizeof why, "%.200s: %.300s", path[0] ? path : "(body)", what);
    return 0;
}

static int check(const cJSON *v, const cJSON *s, const char *path)
{
    s = deref(s);
    if (!s)
        return fail(path, "bad $ref in the document");
    const cJSON *x;
    if (cJSON_IsNull(v)) {
        x = cJSON_GetObjectItemCaseSensitive(s, "nullable");
        if (cJSON_IsTrue(x))
            return 1;
    }
    if ((x = cJSON_GetObjectItemCaseSensitive(s, "allOf"))) {
        const cJSON *sub;
        cJSON_ArrayForEach(sub, x) if (!check(v, sub, path)) return 0;
    }
    if ((x = cJSON_GetObjectItemCaseSensitive(s, "oneOf"))) {
        int n = 0;
        const cJSON *sub;
        char first[512] = "";
        cJSON_ArrayForEach(sub, x)
        {
            if (check(v, sub, path))
                n++;
            else if (!first[0])
                snprintf(first, sizeof first, "%s", why);
        }
        if (n != 1) {
            char m[600];
            snprintf(m, sizeof m, "matches %d of oneOf (want 1); first miss: %.400s", n, first);
            return fail(path, m);
        }
    }
    if ((x = cJSON_GetObjectItemCaseSensitive(s, "type")) && !type_ok(v, x->valuestring)) {
        char m[64];
        snprintf(m, sizeof m, "expected %s", x->valuestring);
        return fail(path, m);
    }
    if ((x = cJSON_GetObjectItemCaseSensitive(s, "enum"))) {
        int hit = 0;
        const cJSON *e;
        cJSON_ArrayForEach(e, x) hit |= cJSON_Compare(e, v, 1);
        if (!hit)
            return fail(path, "not one of the enum values");
    }
    if (cJSON_IsNumber(v)) {
        if ((x = cJSON_GetObjectItemCaseSensitive(s, "minimum")) && v->valuedouble < x->valuedouble)
            return fail(path, "below minimum");
        if ((x = cJSON_GetObjectItemCaseSensitive(s, "maximum")) && v->valuedouble > x->valuedouble)
            return fail(path, "above maximum");
    }
    if (cJSON_IsArray(v)) {
        int n = cJSON_GetArraySize(v);
        if ((x = cJSON_GetObjectItemCaseSensitive(s, "minItems")) && n < x->valueint)
            return fail(path, "too few items");
        if ((x = cJSON_GetObjectItemCaseSensitive(s, "maxItems")) && n > x->valueint)
            return fail(path, "too many items");
        const cJSON *items = cJSON_GetObjectItemCaseSensitive(s, "items");
        int i = 0;
        const cJSON *e;
        if (items)
            cJSON_ArrayForEach(e, v)
            {
                char p[256];
                snprintf(p, sizeof p, "%s[%d]", path, i++);
                if (!check(e, items, p))
                    return 0;
            }
    }
    if (cJSON_IsObject(v)) {
        const cJSON *props = cJSON_GetObjectItemCaseSensitive(s, "properties");
        if ((x = cJSON_GetObjectItemCaseSensitive(s, "required"))) {
            const cJSON *r;
            cJSON_ArrayForEach(r, x) if (!cJSON_GetObjectItemCaseSensitive(v, r->valuestring))
            {
                char m[128];
                snprintf(m, sizeof m, "missing required member \"%s\"", r->valuestring);
                return fail(path, m);
            }
        }
        int closed = cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(s, "additionalProperties"));
        const cJSON *m;
        cJSON_ArrayForEach(m, v)
        {
            const cJSON *ps = props ? cJSON_GetObjectItemCaseSensitive(props, m->string) : NULL;
            char p[256];
            snprintf(p, sizeof p, "%s.%s", path, m->string);
            if (!ps && closed)
                return fail(p, "member not in the schema");
            if (ps && !check(m, ps, p))
                return 0;
        }
    }
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: openapi_check SPEC METHOD PATH STATUS BODYFILE\n");
        return 2;
    }
    char *st = slurp(argv[1]), *bt = slurp(argv[5]);
    if (!st || !bt) {
        fprintf(stderr, "openapi_check: cannot read %s\n", st ? argv[5] : argv[1]);
        return 2;
    }
    spec = cJSON_Parse(st);
    cJSON *body = cJSON_Parse(bt);
    int ret = 1;
    char method[16];
    snprintf(method, sizeof method, "%s", argv[2]);
    for (char *p = method; *p; p++)
        *p = (char)(*p | 0x20);
    const cJSON *op = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(spec, "paths"), argv[3]),
        method);
    const cJSON *resp =
        deref(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(op, "responses"),
                                               argv[4]));
    const cJSON *schema = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(resp, "content"), "application/json"),
        "schema");
    if (!spec)
        fprintf(stderr, "openapi_check: %s is not JSON\n", argv[1]);
    else if (!body)
        fprintf(stderr, "openapi_check: the body is not JSON\n");
    else if (!schema)
        fprintf(stderr, "openapi_check: no JSON schema for %s %s %s in the document\n", argv[2],
                argv[3], argv[4]);
    else if (!check(body, schema, ""))
        fprintf(stderr, "openapi_check: %s %s %s: %s\n", argv[2], argv[3], argv[4], why);
    else
        ret = 0;
    cJSON_Delete(spec);
    cJSON_Delete(body);
    free(st);
    free(bt);
    return ret;
}
