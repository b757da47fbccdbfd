/* gen_mail.c - `heed generate`'s mail sinks: conversations as threaded
 * RFC 5322 mails in an mbox (7bit, 8bit, quoted-printable, multipart with a
 * base64 Latin-1 part) and as tickets in a Zendesk-like JSON export. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "generate.h"
#include "jsonout.h"

/* ---- mbox ---------------------------------------------------------------- */

static void qp_encode(heed_buf *b, const char *s, size_t n)
{
    size_t col = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '\n') {
            heed__buf_addc(b, '\n');
            col = 0;
            continue;
        }
        int lit = (ch >= 33 && ch <= 126 && ch != '=') ||
                  ((ch == ' ' || ch == '\t') && i + 1 < n && s[i + 1] != '\n');
        size_t w = lit ? 1 : 3;
        if (col + w > 75) {
            heed__buf_adds(b, "=\n");
            col = 0;
        }
        if (lit)
            heed__buf_addc(b, (char)ch);
        else
            heed__buf_printf(b, "=%02X", ch);
        col += w;
    }
    heed__buf_addc(b, '\n');
}

static void b64_encode(heed_buf *b, const unsigned char *s, size_t n)
{
    static const char A[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t col = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)s[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)s[i + 1] << 8;
        if (i + 2 < n)
            v |= s[i + 2];
        char q[4] = {A[v >> 18 & 63], A[v >> 12 & 63], i + 1 < n ? A[v >> 6 & 63] : '=',
                     i + 2 < n ? A[v & 63] : '='};
        heed__buf_add(b, q, 4);
        if ((col += 4) >= 76) {
            heed__buf_addc(b, '\n');
            col = 0;
        }
    }
    if (col)
        heed__buf_addc(b, '\n');
}

/* UTF-8 to ISO-8859-1 when every character fits; 0 when one does not. */
static int to_latin1(heed_buf *out, const char *s, size_t n, int *non_ascii)
{
    *non_ascii = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x80) {
            heed__buf_addc(out, (char)ch);
        } else if ((ch == 0xC2 || ch == 0xC3) && i + 1 < n) {
            heed__buf_addc(out, (char)(((ch & 3) << 6) | ((unsigned char)s[++i] & 0x3F)));
            *non_ascii = 1;
        } else {
            return 0;
        }
    }
    return 1;
}

static int is_ascii(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80)
            return 0;
    return 1;
}

static void mbox_body_line_safe(heed_buf *b, const char *s, size_t n)
{
    /* mboxrd: a body line starting with "From " (after any '>') gets one more '>' */
    size_t i = 0;
    while (i < n) {
        size_t e = i;
        while (e < n && s[e] != '\n')
            e++;
        size_t k = i;
        while (k < e && s[k] == '>')
            k++;
        if (e - k >= 5 && !memcmp(s + k, "From ", 5))
            heed__buf_addc(b, '>');
        heed__buf_add(b, s + i, e - i);
        heed__buf_addc(b, '\n');
        i = e + 1;
    }
}

void gen_write_mbox(gen *g, const person *p, int n, const char *subject)
{
    convo *c = &g->cv;
    heed_buf *b = &g->o[O_MBOX].b;
    heed_buf refs, body, lat;
    heed__buf_init(&refs, 0);
    heed__buf_init(&body, 0);
    heed__buf_init(&lat, 0);
    char prev_from[256] = "";
    for (int i = 0; i < n; i++) {
        const turn *tu = &c->turns[i];
        int cust = tu->agent < 0;
        const agent *a = cust ? NULL : &g->agents[tu->agent];
        char from[256], to[256], date[40], mid[128];
        if (cust)
            snprintf(from, sizeof from, "%s %s <%s>", p->first, p->last, p->email);
        else
            snprintf(from, sizeof from, "%s %s <%s>", a->first, a->last, a->email);
        if (cust)
            snprintf(to, sizeof to, "Northwind Shop Customer Care <care@northwind.example.com>");
        else
            snprintf(to, sizeof to, "%s %s <%s>", p->first, p->last, p->email);
        gen_rfc_date(date, tu->t);
        snprintf(mid, sizeof mid, "<%s.%d.%" PRIu64 "@%s>", c->id, i + 1, g->seed,
                 cust ? "mail.example.net" : "northwind.example.com");
        civil cv = gen_to_civil(tu->t);
        heed__buf_printf(b, "From %s %.3s %.3s %2u %02u:%02u:%02u %04" PRId64 "\n",
                         cust ? p->email : a->email, gen_wdays[cv.wday], gen_months[cv.m - 1], cv.d,
                         cv.hh, cv.mm, cv.ss, cv.y);
        heed__buf_printf(b, "From: %s\nTo: %s\nSubject: %s%s\nDate: %s\nMessage-ID: %s\n", from,
                         to, i ? "Re: " : "", subject, date, mid);
        if (i) {
            const char *last = strrchr(refs.ptr, '<');
            heed__buf_printf(b, "In-Reply-To: %s\nReferences: %s\n", last, refs.ptr);
        }
        heed__buf_printf(&refs, "%s%s", i ? " " : "", mid);
        heed__buf_adds(b, "MIME-Version: 1.0\n");

        /* the body: this turn, the quoted previous mail, a signature */
        heed__buf_add(&body, c->text.ptr + tu->off, tu->len);
        if (!cust)
            heed__buf_printf(&body, "\n\n-- \n%s %s\nNorthwind Shop Customer Care\n"
                                    "https://help.northwind.example.com",
                             a->first, a->last);
        else if (p->idx % 4 == 1)
            heed__buf_adds(&body, "\n\n-- \nSent from my phone");
        if (i) {
            const turn *pt = &c->turns[i - 1];
            char pd[40];
            gen_rfc_date(pd, pt->t);
            heed__buf_printf(&body, "\n\nOn %s, %s wrote:\n", pd, prev_from);
            const char *q = c->text.ptr + pt->off, *qe = q + pt->len;
            while (q < qe) {
                const char *e = memchr(q, '\n', (size_t)(qe - q));
                if (!e)
                    e = qe;
                heed__buf_adds(&body, e > q ? "> " : ">");
                heed__buf_add(&body, q, (size_t)(e - q));
                heed__buf_addc(&body, '\n');
                q = e + 1;
            }
        }
        snprintf(prev_from, sizeof prev_from, "%s", from);
        int non_ascii = 0;
        heed__buf_reset(&lat);
        if (is_ascii(body.ptr, body.len)) {
            heed__buf_adds(b, "Content-Type: text/plain; charset=us-ascii\n"
                              "Content-Transfer-Encoding: 7bit\n\n");
            mbox_body_line_safe(b, body.ptr, body.len);
        } else if (cust && to_latin1(&lat, body.ptr, body.len, &non_ascii) && non_ascii &&
                   (!g->latin1_done || g->n_mail % 3 == 0)) {
            /* an older mail client: Latin-1 text part in base64, HTML in QP */
            g->latin1_done = 1;
            heed__buf_printf(b,
                             "Content-Type: multipart/alternative; boundary=\"=_nw%" PRIu64
                             "\"\n\nThis is a multi-part message in MIME format.\n\n"
                             "--=_nw%" PRIu64 "\nContent-Type: text/plain; charset=ISO-8859-1\n"
                             "Content-Transfer-Encoding: base64\n\n",
                             g->n_mail, g->n_mail);
            b64_encode(b, (const unsigned char *)lat.ptr, lat.len);
            heed__buf_printf(b, "\n--=_nw%" PRIu64 "\nContent-Type: text/html; charset=UTF-8\n"
                                "Content-Transfer-Encoding: quoted-printable\n\n",
                             g->n_mail);
            heed__buf_reset(&lat);
            heed__buf_adds(&lat, "<html><body><p>");
            for (size_t k = 0; k < body.len; k++) {
                char ch = body.ptr[k];
                if (ch == '<')
                    heed__buf_adds(&lat, "&lt;");
                else if (ch == '>')
                    heed__buf_adds(&lat, "&gt;");
                else if (ch == '&')
                    heed__buf_adds(&lat, "&amp;");
                else if (ch == '\n')
                    heed__buf_adds(&lat, "<br>\n");
                else
                    heed__buf_addc(&lat, ch);
            }
            heed__buf_adds(&lat, "</p></body></html>");
            qp_encode(b, lat.ptr, lat.len);
            heed__buf_printf(b, "\n--=_nw%" PRIu64 "--\n", g->n_mail);
        } else if (g->n_mail % 4 != 3) {
            heed__buf_adds(b, "Content-Type: text/plain; charset=UTF-8\n"
                              "Content-Transfer-Encoding: quoted-printable\n\n");
            qp_encode(&lat, body.ptr, body.len);
            mbox_body_line_safe(b, lat.ptr, lat.len - 1);
        } else {
            heed__buf_adds(b, "Content-Type: text/plain; charset=UTF-8\n"
                              "Content-Transfer-Encoding: 8bit\n\n");
            mbox_body_line_safe(b, body.ptr, body.len);
        }
        heed__buf_addc(b, '\n');
        heed__buf_reset(&body);
        g->n_mail++;
    }
    heed__buf_release(&refs);
    heed__buf_release(&body);
    heed__buf_release(&lat);
}

/* ---- helpdesk tickets ---------------------------------------------------- */

#define ZD_USER_BASE    ((uint64_t)361000000)
#define ZD_TICKET_BASE  ((uint64_t)20000)
#define ZD_COMMENT_BASE ((uint64_t)700000000)

void gen_write_ticket(gen *g, const person *p, int n, const char *subject, rng *r)
{
    convo *c = &g->cv;
    heed_buf *b = &g->o[O_TICK].b;
    char ts[24];
    gen_iso_time(ts, c->turns[0].t);
    heed__buf_printf(b, "%s\n{\"id\":%" PRIu64 ",\"subject\":", g->n_tick ? "," : "",
                     ZD_TICKET_BASE + g->n_tick + 1);
    heed_json_string(b, subject, strlen(subject));
    heed__buf_printf(b, ",\"status\":\"%s\",\"via\":{\"channel\":\"%s\"},"
                        "\"requester\":{\"id\":%" PRIu64 ",\"name\":",
                     c->status, c->ch == CH_EMAIL ? "email" : "web", ZD_USER_BASE + p->idx);
    heed__buf_printf(&g->tmp, "%s %s", p->first, p->last);
    heed_json_string(b, g->tmp.ptr, g->tmp.len);
    heed__buf_reset(&g->tmp);
    gen_json_kv(b, "email", p->email);
    if (p->phone[0])
        gen_json_kv(b, "phone", p->phone);
    heed__buf_printf(b, "},\"created_at\":\"%s\",\"comments\":[", ts);
    for (int i = 0; i < n; i++) {
        const turn *tu = &c->turns[i];
        gen_iso_time(ts, tu->t);
        uint64_t author = tu->agent < 0 ? ZD_USER_BASE + p->idx : GEN_ZD_AGENT_BASE + (uint64_t)tu->agent;
        heed__buf_printf(b, "%s{\"id\":%" PRIu64 ",\"author_id\":%" PRIu64 ",\"body\":",
                         i ? "," : "", ZD_COMMENT_BASE + g->n_tick * 16 + (uint64_t)i * 2,
                         author);
        heed_json_string(b, c->text.ptr + tu->off, tu->len);
        heed__buf_printf(b, ",\"public\":true,\"created_at\":\"%s\"}", ts);
        if (tu->agent >= 0 && (!g->private_note_done || rpct(r, 15))) {
            g->private_note_done = 1;
            gen_iso_time(ts, tu->t + 60);
            heed__buf_printf(b, ",{\"id\":%" PRIu64 ",\"author_id\":%" PRIu64 ",\"body\":",
                             ZD_COMMENT_BASE + g->n_tick * 16 + (uint64_t)i * 2 + 1, author);
            const char *note = pick(r, gen_private_notes);
            heed_json_string(b, note, strlen(note));
            heed__buf_printf(b, ",\"public\":false,\"created_at\":\"%s\"}", ts);
        }
    }
    heed__buf_adds(b, "]}");
    g->n_tick++;
}

