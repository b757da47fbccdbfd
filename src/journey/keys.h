/* keys.h - the identity keys that link one customer's records across silos:
 * normalisers for e-mail addresses, phone numbers and social handles, and a
 * keyed hash that turns a normalised value into a short stable token, so the
 * store can link records without keeping the raw contact. Pure: no I/O, no
 * global mutable state; every function is safe to call from many threads.
 * docs/privacy.md explains the key and the token. */
#ifndef HEED_KEYS_H
#define HEED_KEYS_H

#include <stddef.h>

#include "heed/heed.h"

/* Bytes of the secret key (BLAKE2b keyed mode, libsodium crypto_generichash). */
#define HEED_KEY_BYTES 32
/* Hex characters of a token: 16 = 64 bits. A store links at most tens of
 * millions of contacts; at 10^7 distinct values the chance that any two share a
 * token is about n^2 / 2^65 = 3e-6, and a token stays short enough to sit inside
 * redacted text ("[phone:3f9a0c1d2e4b5a69]"). The bits do not protect the value:
 * phone numbers are few enough to enumerate, so the secrecy of the key does.
 * Changing this length changes every token (and breaks linking). */
#define HEED_KEY_HEX 16
/* Size of an output buffer of the normalisers, NUL included. An e-mail address
 * is at most 254 bytes (RFC 5321), a phone "+" and 15 digits, a handle a network
 * name, ':' and '@' and 64 characters. */
#define HEED_KEY_NORM_MAX 256

/* The kinds hashed by heed_key_hash and used in redaction tokens. */
#define HEED_KIND_EMAIL "email"
#define HEED_KIND_PHONE "phone"
#define HEED_KIND_HANDLE "handle"

/* Normalises an e-mail address: trims ASCII white space, lowercases and checks
 * the shape local@domain.tld (local part: letters, digits and
 * !#$%&'*+/=?^_`{|}~.- without leading, trailing or doubled dots, at most 64
 * bytes; domain: two or more labels of letters, digits and inner hyphens, a TLD
 * of two or more letters or "xn--..."; 254 bytes in all). Quoted local parts,
 * IP-literal domains and non-ASCII (internationalised) addresses are rejected.
 *
 * Gmail dots and "+tag" suffixes are kept: at most providers "j.doe" and "jdoe",
 * or "jo+a" and "jo", are different mailboxes, and merging them would join two
 * people's histories; a missed link costs less than a false one. The local part
 * is lowercased although RFC 5321 lets a server tell cases apart: no common
 * provider does, and customers type their address in any case.
 *
 * s: len bytes, not NUL-terminated. out: HEED_KEY_NORM_MAX bytes, receives the
 * NUL-terminated normal form. Returns HEED_OK, or HEED_EINVAL (not an address,
 * or a NULL argument) with err (may be NULL) saying why. The message never
 * quotes the input, so it may be logged. */
int heed_key_email(const char *s, size_t len, char out[HEED_KEY_NORM_MAX], heed_error *err);

/* Normalises a phone number to E.164 ("+441632960123"). Accepted: digits with
 * spaces, dots, dashes and one pair of parentheses between them; an
 * international prefix "+", "00" (or "011" when default_cc is "1"); "+44 (0)20"
 * (the "(0)" is dropped). A national number (no international prefix) needs
 * default_cc, the country calling code without "+" ("44", "1", "33"):
 *   - "1" (NANP): 10 digits, or 11 starting with 1; the area code starts with
 *     2-9 (the exchange is not checked: fictional 555 numbers are written in
 *     many ways);
 *   - Italy, San Marino, Vatican ("39", "378", "379") keep a leading 0;
 *   - countries without a trunk prefix (e.g. "34", "45", "47", "351") take the
 *     digits as they are;
 *   - every other country needs the trunk prefix 0, which is dropped.
 * The result has 7 to 15 digits (E.164 allows at most 15) and a country code
 * not starting with 0. Letters (vanity numbers, "ext"), other characters and
 * local numbers without an area code are rejected.
 *
 * default_cc: NUL-terminated digits, or NULL (then only international numbers
 * are accepted). out, return and err as for heed_key_email. */
int heed_key_phone(const char *s, size_t len, const char *default_cc,
                   char out[HEED_KEY_NORM_MAX], heed_error *err);

/* Normalises a social handle: "@Name" -> "@name", "Twitter:@Name" ->
 * "twitter:@name"; the "@" is added when missing ("name" -> "@name"). The
 * optional network prefix is 1-32 letters, digits or '-' before ':'; the handle
 * is 1-64 letters, digits, '_' or '.'. Networks are not aliased ("x:" and
 * "twitter:" stay apart). out, return and err as for heed_key_email. */
int heed_key_handle(const char *s, size_t len, char out[HEED_KEY_NORM_MAX], heed_error *err);

/* The secret of the keyed hash. Opaque; read-only once made, so one hasher may
 * be shared by any number of threads. */
typedef struct heed_hasher heed_hasher;

/* Makes a hasher from key_len == HEED_KEY_BYTES secret bytes (copied; the
 * caller may wipe its copy). Initialises libsodium (sodium_init, which libsodium
 * makes safe to call repeatedly and from several threads). Returns HEED_OK and
 * *out (free with heed_hasher_free), HEED_EINVAL (NULL argument or wrong length),
 * HEED_ENOMEM, or HEED_EIO when libsodium cannot initialise. */
HEED_NODISCARD int heed_hasher_new(const unsigned char *key, size_t key_len, heed_hasher **out,
                                   heed_error *err);

/* Wipes the key and frees the hasher. NULL does nothing. */
void heed_hasher_free(heed_hasher *h);

/* Fills key with HEED_KEY_BYTES bytes from the operating system's CSPRNG (for
 * the store to make and keep a new key). Returns HEED_OK or HEED_EIO. */
HEED_NODISCARD int heed_key_generate(unsigned char key[HEED_KEY_BYTES]);

/* The token of a normalised value: the first 64 bits of BLAKE2b keyed with the
 * hasher's secret over kind, a NUL byte and normalised, as HEED_KEY_HEX
 * lower-case hex digits and a NUL in out. The same key, kind and value always
 * give the same token; kind keeps an e-mail and a phone with the same bytes
 * apart. normalised should come from a normaliser above (the hash does not
 * normalise). kind and normalised: NUL-terminated. Returns HEED_OK, or
 * HEED_EINVAL for a NULL argument (out is then ""). */
int heed_key_hash(const heed_hasher *h, const char *kind, const char *normalised,
                  char out[HEED_KEY_HEX + 1]);

/* heed_key_hash over a value of len bytes (not NUL-terminated). */
int heed__key_hash_n(const heed_hasher *h, const char *kind, const char *v, size_t len,
                     char out[HEED_KEY_HEX + 1]);

#endif
