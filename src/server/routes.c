/* routes.c - the HTTP API's routes and who may call each: the one place that
 * says which role may do what. A new endpoint adds one line here and a handler.
 *   agent: the reply checker, analysis, their own stats
 *   lead:  as agent, plus the queue, journeys, conversations and their team's
 *          agents
 *   admin: everything, keys included
 *   ingest: posts messages and events (a helpdesk webhook's key), reads nothing */
#include "router.h"
#include "server_int.h"

#define ANY HEED_SRV_ROLES_ALL
#define ADMIN HEED_SRV_ROLE_ADMIN
#define LEAD (HEED_SRV_ROLE_LEAD | HEED_SRV_ROLE_ADMIN)
#define INGEST (HEED_SRV_ROLE_INGEST | HEED_SRV_ROLE_ADMIN)

const heed_srv_route heed_srv_routes[] = {
    /* method, pattern,            roles,           analyses, handler */
    {"GET", "/healthz", HEED_SRV_PUBLIC, 0, heed_srv_h_healthz},
    {"GET", "/metrics", HEED_SRV_PUBLIC, 0, heed_srv_h_metrics},
    {"GET", "/v1/openapi.json", HEED_SRV_PUBLIC, 0, heed_srv_h_openapi},
    /* the dashboard's static files; its API calls carry the user's key */
    {"GET", "/", HEED_SRV_PUBLIC, 0, heed_srv_h_www},
    {"GET", "/ui/{file}", HEED_SRV_PUBLIC, 0, heed_srv_h_www},
    {"POST", "/v1/analyze", ANY, 1, heed_srv_h_analyze},
    {"POST", "/v1/check-reply", ANY, 1, heed_srv_h_check_reply},
    {"GET", "/v1/keys", ADMIN, 0, heed_srv_h_keys},
    /* the key's own role, team and agent (the dashboard's landing page) */
    {"GET", "/v1/me", ANY | HEED_SRV_ROLE_INGEST, 0, heed_srv_h_me},
    /* ingest: what `heed import messages|events` does, one request at a time */
    {"POST", "/v1/messages", INGEST, 1, heed_srv_h_ingest_messages},
    {"POST", "/v1/events", INGEST, 0, heed_srv_h_ingest_events},
    /* the store: leads see their team's agents (docs/api.md) */
    {"GET", "/v1/queue", LEAD, 0, heed_srv_h_queue},
    {"POST", "/v1/queue/{customer}/done", LEAD, 0, heed_srv_h_queue_done},
    {"GET", "/v1/customers/{ref}/journey", LEAD, 0, heed_srv_h_journey},
    {"GET", "/v1/customers/{ref}/links", LEAD, 0, heed_srv_h_links},
    {"GET", "/v1/conversations/{id}", LEAD, 0, heed_srv_h_conversation},
    {"GET", "/v1/agents", LEAD, 0, heed_srv_h_agents},
    {"GET", "/v1/agents/{id}", ANY, 0, heed_srv_h_agent}, /* an agent: only their own */
    {"GET", "/v1/teams/trends", LEAD, 0, heed_srv_h_team_trends},
    {"GET", "/v1/trends", LEAD, 0, heed_srv_h_trends},
};

const size_t heed_srv_n_routes = sizeof heed_srv_routes / sizeof heed_srv_routes[0];
