/*
 * registration.c - membership applications and erasure requests (see registration.h).
 */
#include "domain/registration.h"
#include "domain/member.h"
#include "domain/member_int.h"
#include "core/codelist.h"
#include "core/nameindex.h"
#include "core/names.h"
#include "core/org.h"
#include "core/personfield.h"
#include "core/pii.h"
#include "core/rbac.h"
#include "core/user.h"
#include "store/store.h"
#include "base/timeutil.h"
#include "base/utf8.h"

#include <sodium.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOKEN_KDF_ID 7 /* subkey of the server key for application tokens ("kexiereg") */

static void token_hash(const struct app *a, const char *token, char out[65])
{
	unsigned char k[32], h[32];
	crypto_kdf_derive_from_key(k, sizeof(k), TOKEN_KDF_ID, "kexiereg", a->key);
	crypto_generichash(h, sizeof(h), (const unsigned char *)token, strlen(token), k, sizeof(k));
	sodium_memzero(k, sizeof(k));
	sodium_bin2hex(out, 65, h, sizeof(h));
}

/* ---- consent ---- */

struct consent_job {
	char *version;
	size_t cap;
	char **body;
};

static int consent_row(struct stmt *st, void *arg)
{
	struct consent_job *j = arg;
	str_copy(j->version, j->cap, stmt_text(st, 0, NULL));
	*j->body = strdup(stmt_text(st, 1, NULL));
	return *j->body ? 1 : ERR_NOMEM;
}

static int consent_read(struct conn *c, void *arg)
{
	struct consent_job *j = arg;
	*j->body = NULL;
	int rc = conn_each(
		c, "SELECT version, body FROM consent_text ORDER BY created_at DESC, version DESC LIMIT 1",
		consent_row, j, "");
	return rc ? rc : *j->body ? 0 : ERR_NOTFOUND;
}

int registration_consent(struct app *a, char *version, size_t cap, char **body)
{
	struct consent_job j = {version, cap, body};
	return store_read(a->store, consent_read, &j);
}

/* ---- submitting ---- */

/* The normalised application, ready to store. */
struct app_norm {
	char name[PERSON_NAME_MAX * 4 + 1];
	const char *category, *gender, *id_type, *title_level, *education, *political;
	char birth[11], email[PERSON_EMAIL_MAX + 1], work_unit[PERSON_TEXT_MAX * 4 + 1];
	char title[PERSON_TEXT_MAX * 4 + 1];
	struct person_id id;
	char mobile[PERSON_MOBILE_LEN + 1];
	char id_enc[PII_SEALED_MAX], id_bidx[PII_BLIND_HEX], mobile_enc[PII_SEALED_MAX],
		mobile_bidx[PII_BLIND_HEX];
	char hash[USER_HASH_MAX];
	char token[REG_TOKEN_LEN + 1], token_hash[65];
};

static void norm_wipe(struct app_norm *n)
{
	sodium_memzero(&n->id, sizeof(n->id));
	sodium_memzero(n->mobile, sizeof(n->mobile));
	sodium_memzero(n->hash, sizeof(n->hash));
}

static bool given(const char *s)
{
	for (; s && *s; s++)
		if (*s != ' ')
			return true;
	return false;
}

static int code_of(const struct codeset *list, const char *s, const char *field, const char **out,
		   struct errlist *errs)
{
	*out = "";
	if (!given(s))
		return 0;
	const char *code = NULL;
	int rc = person_code(list, s, strlen(s), true, &code, field, errs);
	if (!rc && code)
		*out = code;
	return rc;
}

/* Every field through the one normaliser; the cross-checks the register makes. */
static int app_validate(const struct application_input *in, struct app_norm *n, struct errlist *errs)
{
	int bad = 0;
	if (name_normalize(in->name ? in->name : "", in->name ? strlen(in->name) : 0, NAME_PERSON, 1,
			   PERSON_NAME_MAX, n->name, sizeof(n->name), "name", errs))
		bad = ERR_UNPROCESSABLE;
	if (person_code(&codelist_member_category, in->category ? in->category : "",
			in->category ? strlen(in->category) : 0, false, &n->category, "category", errs))
		bad = ERR_UNPROCESSABLE;
	if (code_of(&codelist_gender, in->gender, "gender", &n->gender, errs) ||
	    code_of(&codelist_id_type, in->id_type, "id_type", &n->id_type, errs) ||
	    code_of(&codelist_title_level, in->title_level, "title_level", &n->title_level, errs) ||
	    code_of(&codelist_education, in->education, "education", &n->education, errs) ||
	    code_of(&codelist_political_status, in->political_status, "political_status", &n->political,
		    errs))
		bad = ERR_UNPROCESSABLE;
	if (given(in->birth_date) && person_date_normalize(in->birth_date, strlen(in->birth_date), 0,
							   n->birth, sizeof(n->birth), "birth_date", errs))
		bad = ERR_UNPROCESSABLE;
	if (given(in->email) &&
	    person_email_normalize(in->email, strlen(in->email), n->email, sizeof(n->email), "email", errs))
		bad = ERR_UNPROCESSABLE;
	if (given(in->work_unit) &&
	    name_normalize(in->work_unit, strlen(in->work_unit), 0, 0, PERSON_TEXT_MAX, n->work_unit,
			   sizeof(n->work_unit), "work_unit", errs))
		bad = ERR_UNPROCESSABLE;
	if (given(in->title) && name_normalize(in->title, strlen(in->title), 0, 0, PERSON_TEXT_MAX, n->title,
					       sizeof(n->title), "title", errs))
		bad = ERR_UNPROCESSABLE;
	if (given(in->id_number)) {
		if (!*n->id_type)
			n->id_type = "resident";
		if (person_id_normalize(n->id_type, in->id_number, strlen(in->id_number), NULL, &n->id,
					"id_number", errs))
			bad = ERR_UNPROCESSABLE;
		else if (person_id_crosscheck(&n->id, n->gender, n->birth, "id_number", "gender",
					      "birth_date", errs))
			bad = ERR_UNPROCESSABLE;
		else {
			if (!*n->gender && n->id.gender[0])
				n->gender = !strcmp(n->id.gender, "1") ? "1" : "2";
			if (!n->birth[0] && n->id.birth[0])
				snprintf(n->birth, sizeof(n->birth), "%s", n->id.birth);
		}
	}
	if (given(in->mobile) && person_mobile_normalize(in->mobile, strlen(in->mobile), n->mobile,
							 sizeof(n->mobile), "mobile", errs))
		bad = ERR_UNPROCESSABLE;
	if (!given(in->id_number) && !given(in->mobile))
		bad = errlist_add(errs, "id_number", "id_or_mobile", "give an ID number or a mobile");
	if (!user_login_ok(in->login))
		bad = errlist_add(errs, "login", "invalid_login", "2 to 64 of a-z 0-9 . _ - @");
	if (!in->consent_version || !*in->consent_version)
		bad = errlist_add(errs, "consent_version", "required",
				  "the applicant must agree to the consent text");
	if (in->org_id <= 0)
		bad = errlist_add(errs, "org_id", "required", "the organization to join");
	return bad;
}

struct submit_job {
	struct app *a;
	const struct audit_entry *who;
	const struct application_input *in;
	struct app_norm *n;
	struct errlist *errs;
	int64_t id;
};

static int submit_tx(struct conn *c, void *arg)
{
	struct submit_job *j = arg;
	struct app_norm *n = j->n;
	const struct application_input *in = j->in;
	char current[33] = "";
	int rc = conn_row(c,
			  "SELECT version FROM consent_text ORDER BY created_at DESC, version DESC LIMIT 1",
			  "", "t", current, sizeof(current));
	if (rc)
		return rc;
	if (strcmp(current, in->consent_version))
		return errlist_add(j->errs, "consent_version", "consent_outdated",
				   "the consent text has changed: read and agree to the current one"),
		       errlist_param_str(j->errs, "current", current);
	bool taken = false;
	rc = conn_row(c,
		      "SELECT 1 FROM app_user WHERE login = $1 UNION ALL"
		      " SELECT 1 FROM member_application WHERE login = $1 AND status = 'pending'",
		      "t", "b", in->login, &taken);
	if (!rc) {
		errlist_add(j->errs, "login", "taken", "another account already has this login");
		return ERR_CONFLICT;
	}
	if (rc != ERR_NOTFOUND)
		return rc;
	uint32_t version = 0;
	rc = pii_current(c, &version);
	if (!rc && n->id.number[0]) {
		size_t len = strlen(n->id.number);
		rc = pii_seal(j->a, version, PII_PERSON_ID_NUMBER, n->id.number, len, n->id_enc,
			      sizeof(n->id_enc));
		if (!rc)
			rc = pii_blind(j->a, PII_PERSON_ID_NUMBER, n->id.number, len, n->id_bidx);
	}
	if (!rc && n->mobile[0]) {
		size_t len = strlen(n->mobile);
		rc = pii_seal(j->a, version, PII_PERSON_MOBILE, n->mobile, len, n->mobile_enc,
			      sizeof(n->mobile_enc));
		if (!rc)
			rc = pii_blind(j->a, PII_PERSON_MOBILE, n->mobile, len, n->mobile_bidx);
	}
	if (rc)
		return rc;
	if (n->id_bidx[0]) {
		rc = conn_row(
			c,
			"SELECT 1 FROM member_application WHERE org_id = $1 AND id_bidx = $2 AND status = 'pending'",
			"it", "b", in->org_id, n->id_bidx, &taken);
		if (!rc) {
			errlist_add(j->errs, "id_number", "application_exists",
				    "an application with this ID number is waiting for this organization");
			return ERR_CONFLICT;
		}
		if (rc != ERR_NOTFOUND)
			return rc;
	}
	rc = conn_row(
		c,
		"INSERT INTO member_application (org_id, category, status, name, gender, birth_date, id_type,"
		" id_enc, id_bidx, mobile_enc, mobile_bidx, email, work_unit, title, title_level, education,"
		" political_status, login, password_hash, consent_version, consent_at, token_hash, created_at)"
		" VALUES ($1, $2, 'pending', $3, $4, NULLIF($5, ''), $6, NULLIF($7, ''), NULLIF($8, ''),"
		" NULLIF($9, ''), NULLIF($10, ''), $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $20)"
		" RETURNING id",
		"it tttt tttt tttttt ttt it", "i", in->org_id, n->category, n->name, n->gender, n->birth,
		n->id.number[0] ? n->id_type : "", n->id_enc, n->id_bidx, n->mobile_enc, n->mobile_bidx,
		n->email, n->work_unit, n->title, n->title_level, n->education, n->political, in->login,
		n->hash, current, time_unix(), n->token_hash, &j->id);
	if (rc)
		return rc;
	struct audit_diff d;
	audit_diff_init(&d);
	audit_diff_str(&d, "category", n->category);
	audit_diff_str(&d, "login", in->login);
	audit_diff_str(&d, "consent_version", current);
	return audit_object(c, j->who, "application.create", "application", j->id, in->org_id,
			    audit_diff_text(&d));
}

int registration_submit(struct app *a, const struct audit_entry *who, const struct application_input *in,
			struct errlist *errs, int64_t *id, char token[REG_TOKEN_LEN + 1])
{
	token[0] = '\0';
	struct app_norm *n = calloc(1, sizeof(*n));
	if (!n)
		return ERR_NOMEM;
	int rc = app_validate(in, n, errs);
	if (in->password && password_check(a, in->password, in->login ? in->login : "", "password", errs))
		rc = ERR_UNPROCESSABLE;
	else if (!in->password)
		rc = errlist_add(errs, "password", "required", "choose a password for the member account");
	struct org o;
	int orc = in->org_id > 0 ? org_get(a, in->org_id, NULL, &o) : ERR_NOTFOUND;
	if (in->org_id > 0 && (orc == ERR_NOTFOUND || (!orc && o.closed_on[0])))
		rc = errlist_add(errs, "org_id", "not_found", "no open organization with this id");
	else if (in->org_id > 0 && orc)
		rc = orc;
	if (!rc)
		rc = user_hash_password(in->password, n->hash);
	if (!rc) {
		unsigned char rnd[32];
		randombytes_buf(rnd, sizeof(rnd));
		sodium_bin2base64(n->token, sizeof(n->token), rnd, sizeof(rnd),
				  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		token_hash(a, n->token, n->token_hash);
		struct submit_job j = {a, who, in, n, errs, 0};
		rc = store_tx(a->store, submit_tx, &j);
		if (!rc) {
			*id = j.id;
			memcpy(token, n->token, sizeof(n->token));
		}
	}
	norm_wipe(n);
	sodium_memzero(n->token, sizeof(n->token));
	free(n);
	return rc;
}

/* ---- reading ---- */

#define APP_COLS                                                                                             \
	"x.id, x.org_id, COALESCE(x.person_id, 0), COALESCE(x.membership_id, 0), COALESCE(x.user_id, 0),"    \
	" o.name, x.category, x.status, x.name, x.gender, COALESCE(x.birth_date, ''), x.id_type,"            \
	" COALESCE(x.id_enc, ''), COALESCE(x.mobile_enc, ''), x.email, x.work_unit, x.title, x.title_level," \
	" x.education, x.political_status, x.login, x.reason, COALESCE(m.number, ''), x.created_at,"         \
	" COALESCE(x.decided_at, 0) FROM member_application x JOIN org o ON o.id = x.org_id"                 \
	" LEFT JOIN membership m ON m.id = x.membership_id"

struct app_each {
	struct app *a;
	struct pii_ring ring;
	int (*fn)(const struct application *x, void *arg);
	void *arg;
	struct application x;
	int n;
	int64_t last;
};

/* A sealed value of an application, masked (or "" when none or unreadable). */
static void masked(struct app_each *e, enum pii_purpose p, const char *sealed, char *out, size_t cap)
{
	char plain[PII_PLAIN_MAX + 1];
	out[0] = '\0';
	if (!*sealed || pii_open(e->a, &e->ring, p, sealed, strlen(sealed), plain, sizeof(plain), NULL))
		return;
	if (p == PII_PERSON_ID_NUMBER)
		pii_mask_id(plain, strlen(plain), out, cap);
	else
		pii_mask_mobile(plain, strlen(plain), out, cap);
	sodium_memzero(plain, sizeof(plain));
}

static int app_row(struct stmt *st, void *arg)
{
	struct app_each *e = arg;
	struct application *x = &e->x;
	memset(x, 0, sizeof(*x));
	x->id = stmt_int64(st, 0);
	x->org_id = stmt_int64(st, 1);
	x->person_id = stmt_int64(st, 2);
	x->membership_id = stmt_int64(st, 3);
	x->user_id = stmt_int64(st, 4);
	str_copy(x->org_name, sizeof(x->org_name), stmt_text(st, 5, NULL));
	str_copy(x->category, sizeof(x->category), stmt_text(st, 6, NULL));
	str_copy(x->status, sizeof(x->status), stmt_text(st, 7, NULL));
	str_copy(x->name, sizeof(x->name), stmt_text(st, 8, NULL));
	str_copy(x->gender, sizeof(x->gender), stmt_text(st, 9, NULL));
	str_copy(x->birth_date, sizeof(x->birth_date), stmt_text(st, 10, NULL));
	str_copy(x->id_type, sizeof(x->id_type), stmt_text(st, 11, NULL));
	masked(e, PII_PERSON_ID_NUMBER, stmt_text(st, 12, NULL), x->id_masked, sizeof(x->id_masked));
	masked(e, PII_PERSON_MOBILE, stmt_text(st, 13, NULL), x->mobile_masked, sizeof(x->mobile_masked));
	str_copy(x->email, sizeof(x->email), stmt_text(st, 14, NULL));
	str_copy(x->work_unit, sizeof(x->work_unit), stmt_text(st, 15, NULL));
	str_copy(x->title, sizeof(x->title), stmt_text(st, 16, NULL));
	str_copy(x->title_level, sizeof(x->title_level), stmt_text(st, 17, NULL));
	str_copy(x->education, sizeof(x->education), stmt_text(st, 18, NULL));
	str_copy(x->political_status, sizeof(x->political_status), stmt_text(st, 19, NULL));
	str_copy(x->login, sizeof(x->login), stmt_text(st, 20, NULL));
	str_copy(x->reason, sizeof(x->reason), stmt_text(st, 21, NULL));
	str_copy(x->member_number, sizeof(x->member_number), stmt_text(st, 22, NULL));
	x->created_at = stmt_int64(st, 23);
	x->decided_at = stmt_int64(st, 24);
	e->n++;
	e->last = x->id;
	return e->fn ? e->fn(x, e->arg) : 1;
}

struct status_job {
	struct app_each e;
	char hash[65];
};

static int status_read(struct conn *c, void *arg)
{
	struct status_job *j = arg;
	int rc = pii_ring_read(c, &j->e.ring);
	return rc ? rc
		  : conn_each(c, "SELECT " APP_COLS " WHERE x.token_hash = $1", app_row, &j->e, "t", j->hash);
}

int registration_status(struct app *a, const char *token, struct application *out)
{
	if (!token || strlen(token) != REG_TOKEN_LEN)
		return ERR_NOTFOUND;
	struct status_job j = {.e = {.a = a}};
	token_hash(a, token, j.hash);
	int rc = store_read(a->store, status_read, &j);
	if (!rc && !j.e.n)
		rc = ERR_NOTFOUND;
	if (!rc)
		*out = j.e.x;
	return rc;
}

static int app_by_id(struct conn *c, struct app *a, int64_t id, struct application *out)
{
	struct app_each e = {.a = a};
	int rc = pii_ring_read(c, &e.ring);
	if (!rc)
		rc = conn_each(c, "SELECT " APP_COLS " WHERE x.id = $1", app_row, &e, "i", id);
	if (!rc && !e.n)
		rc = ERR_NOTFOUND;
	if (!rc)
		*out = e.x;
	return rc;
}

struct get_job {
	struct app *a;
	int64_t id;
	struct application *out;
};

static int get_read(struct conn *c, void *arg)
{
	struct get_job *j = arg;
	return app_by_id(c, j->a, j->id, j->out);
}

int registration_get(struct app *a, int64_t id, struct application *out)
{
	struct get_job j = {a, id, out};
	return store_read(a->store, get_read, &j);
}

struct list_job {
	struct app_each e;
	int64_t under, before;
	const char *status;
	int limit;
};

static int list_read(struct conn *c, void *arg)
{
	struct list_job *j = arg;
	int rc = pii_ring_read(c, &j->e.ring);
	if (rc)
		return rc;
	char today[11];
	date_today(today, sizeof(today));
	return conn_each(
		c,
		"SELECT " APP_COLS " WHERE x.org_id IN (SELECT oc.org_id FROM org_closure oc"
		" WHERE oc.anc_id = $1 AND oc.valid_from <= $3 AND (oc.valid_to IS NULL OR oc.valid_to > $3))"
		" AND x.status = $2 AND ($4 = 0 OR x.id < $4) ORDER BY x.id DESC LIMIT $5",
		app_row, &j->e, "itt i d", j->under, j->status, today, j->before, j->limit);
}

int registration_list(struct app *a, int64_t under, const char *status, int64_t before, int limit,
		      int (*fn)(const struct application *x, void *arg), void *arg, int64_t *next)
{
	struct list_job j = {.e = {.a = a, .fn = fn, .arg = arg},
			     .under = under,
			     .before = before,
			     .status = status && *status ? status : "pending",
			     .limit = limit};
	int rc = store_read(a->store, list_read, &j);
	*next = !rc && j.e.n == limit ? j.e.last : 0;
	return rc;
}

/* ---- deciding ---- */

/* The sealed values of a pending application, opened (wipe after use). */
struct app_secret {
	char id_number[PII_PLAIN_MAX + 1], mobile[PII_PLAIN_MAX + 1], hash[USER_HASH_MAX + 1];
	char id_bidx[PII_BLIND_HEX], mobile_bidx[PII_BLIND_HEX];
	char status[12];
};

struct secret_job {
	struct app *a;
	int64_t id;
	struct app_secret *s;
};

static int secret_read(struct conn *c, void *arg)
{
	struct secret_job *j = arg;
	char id_enc[PII_SEALED_MAX] = "", mobile_enc[PII_SEALED_MAX] = "";
	struct pii_ring ring;
	int rc = pii_ring_read(c, &ring);
	if (!rc)
		rc = conn_row(
			c,
			"SELECT status, COALESCE(id_enc, ''), COALESCE(mobile_enc, ''), COALESCE(id_bidx, ''),"
			" COALESCE(mobile_bidx, ''), COALESCE(password_hash, '') FROM member_application WHERE id = $1",
			"i", "tttttt", j->id, j->s->status, sizeof(j->s->status), id_enc, sizeof(id_enc),
			mobile_enc, sizeof(mobile_enc), j->s->id_bidx, sizeof(j->s->id_bidx),
			j->s->mobile_bidx, sizeof(j->s->mobile_bidx), j->s->hash, sizeof(j->s->hash));
	if (!rc && id_enc[0])
		rc = pii_open(j->a, &ring, PII_PERSON_ID_NUMBER, id_enc, strlen(id_enc), j->s->id_number,
			      sizeof(j->s->id_number), NULL);
	if (!rc && mobile_enc[0])
		rc = pii_open(j->a, &ring, PII_PERSON_MOBILE, mobile_enc, strlen(mobile_enc), j->s->mobile,
			      sizeof(j->s->mobile), NULL);
	return rc;
}

struct link_job {
	int64_t id, person_id, membership_id;
};

static int link_tx(struct conn *c, void *arg)
{
	struct link_job *j = arg;
	int rc = conn_run(
		c,
		"UPDATE member_application SET person_id = NULLIF($2, 0), membership_id = NULLIF($3, 0)"
		" WHERE id = $1 AND status = 'pending'",
		"iii", j->id, j->person_id, j->membership_id);
	if (rc < 0 || !j->person_id)
		return rc < 0 ? rc : 0;
	/* the consent the applicant gave, with its version and time, goes with the person
	 * (a person registered before keeps the consent recorded then) */
	rc = conn_run(
		c,
		"UPDATE person SET consent_version = (SELECT consent_version FROM member_application WHERE id = $1),"
		" consent_at = (SELECT consent_at FROM member_application WHERE id = $1)"
		" WHERE id = $2 AND consent_version = ''",
		"ii", j->id, j->person_id);
	return rc < 0 ? rc : 0;
}

struct find_job {
	const char *id_bidx, *name, *mobile_bidx;
	int64_t org_id, person_id, *out;
};

/* The registered person an application matches (as member.c deduplicates: the ID number's
 * blind index, else the name and the mobile's). */
static int find_person_read(struct conn *c, void *arg)
{
	struct find_job *j = arg;
	int rc = ERR_NOTFOUND;
	if (*j->id_bidx)
		rc = conn_row(c, "SELECT id FROM person WHERE id_bidx = $1", "t", "i", j->id_bidx, j->out);
	if (rc == ERR_NOTFOUND && *j->mobile_bidx)
		rc = conn_row(
			c,
			"SELECT id FROM person WHERE mobile_bidx = $1 AND name = $2 AND anonymized_at IS NULL",
			"tt", "i", j->mobile_bidx, j->name, j->out);
	return rc;
}

static int current_ms_read(struct conn *c, void *arg)
{
	struct find_job *j = arg;
	return conn_row(c,
			"SELECT id FROM membership WHERE org_id = $1 AND person_id = $2"
			" AND status IN ('applied','active','lapsed')",
			"ii", "i", j->org_id, j->person_id, j->out);
}

/* Step 1: the person, found through the blind index or created. */
static int approve_person(struct app *a, const struct audit_entry *who, const struct application *x,
			  const struct app_secret *s, struct errlist *errs, int64_t *person_id)
{
	if (x->person_id) {
		*person_id = x->person_id;
		return 0;
	}
	struct person_input in = {
		.org_id = x->org_id,
		.name = x->name,
		.gender = x->gender,
		.birth_date = x->birth_date,
		.id_type = s->id_number[0] ? x->id_type : NULL,
		.id_number = s->id_number[0] ? s->id_number : NULL,
		.mobile = s->mobile[0] ? s->mobile : NULL,
		.email = x->email,
		.work_unit = x->work_unit,
		.title = x->title,
		.title_level = x->title_level,
		.education = x->education,
		.political_status = x->political_status,
	};
	struct errlist mine;
	errlist_init(&mine);
	int rc = member_create(a, who, NULL, &in, &mine, person_id);
	if (rc == ERR_CONFLICT) { /* registered already: link that person */
		struct find_job f = {.id_bidx = s->id_bidx,
				     .name = x->name,
				     .mobile_bidx = s->mobile_bidx,
				     .out = person_id};
		rc = store_read(a->store, find_person_read, &f);
		return rc == ERR_NOTFOUND ? ERR_CONFLICT : rc;
	}
	for (int i = 0; rc && i < mine.n; i++)
		errlist_add(errs, mine.e[i].field, mine.e[i].code, mine.e[i].message);
	return rc;
}

/* Step 2: the membership, created or the current one linked. */
static int approve_membership(struct app *a, const struct audit_entry *who, const struct application *x,
			      int64_t person_id, struct errlist *errs, int64_t *ms_id)
{
	if (x->membership_id) {
		*ms_id = x->membership_id;
		return 0;
	}
	struct membership_input in = {.org_id = x->org_id, .person_id = person_id, .category = x->category};
	struct errlist mine;
	errlist_init(&mine);
	int rc = membership_create(a, who, &in, &mine, ms_id);
	if (rc == ERR_CONFLICT && mine.n && !strcmp(mine.e[0].code, "member_exists")) {
		struct find_job f = {.org_id = x->org_id, .person_id = person_id, .out = ms_id};
		return store_read(a->store, current_ms_read, &f);
	}
	for (int i = 0; rc && i < mine.n; i++)
		errlist_add(errs, mine.e[i].field, mine.e[i].code, mine.e[i].message);
	return rc;
}

struct decide_job {
	const struct audit_entry *who;
	const struct application *x;
	const struct app_secret *s;
	int64_t person_id, membership_id;
	bool approve;
	const char *reason;
	struct errlist *errs;
};

/* Step 3 (or the rejection): the member account and the decision, in one transaction. */
static int decide_tx(struct conn *c, void *arg)
{
	struct decide_job *j = arg;
	char status[12] = "";
	int rc = conn_row(c, "SELECT status FROM member_application WHERE id = $1", "i", "t", j->x->id,
			  status, sizeof(status));
	if (rc)
		return rc;
	if (strcmp(status, "pending")) {
		errlist_add(j->errs, "status", "decided", "this application has been decided already");
		return ERR_CONFLICT;
	}
	int64_t user_id = 0;
	if (j->approve) {
		rc = conn_row(c, "SELECT id FROM app_user WHERE person_id = $1", "i", "i", j->person_id,
			      &user_id);
		if (rc == ERR_NOTFOUND) {
			struct user_new n = {.login = j->x->login,
					     .display_name = j->x->name,
					     .hash = j->s->hash,
					     .role = "member",
					     .org_id = j->x->org_id,
					     .person_id = j->person_id};
			rc = user_insert_conn(c, j->who, &n, j->errs, &user_id);
		}
		if (rc)
			return rc;
	}
	rc = conn_run(
		c,
		"UPDATE member_application SET status = $2, reason = $3, person_id = NULLIF($4, 0),"
		" membership_id = NULLIF($5, 0), user_id = NULLIF($6, 0), decided_by = NULLIF($7, 0),"
		" decided_at = $8, id_enc = NULL, mobile_enc = NULL, password_hash = NULL WHERE id = $1",
		"itti iiii", j->x->id, j->approve ? "approved" : "rejected", j->reason ? j->reason : "",
		j->person_id, j->membership_id, user_id, j->who->user_id, time_unix());
	if (rc < 0)
		return rc;
	struct audit_diff d;
	audit_diff_init(&d);
	audit_diff_change(&d, "status", "pending", j->approve ? "approved" : "rejected");
	if (j->approve) {
		audit_diff_int(&d, "person_id", j->person_id);
		audit_diff_int(&d, "membership_id", j->membership_id);
		audit_diff_int(&d, "user", user_id);
	} else {
		audit_diff_str(&d, "reason", j->reason);
	}
	return audit_object(c, j->who, j->approve ? "application.approve" : "application.reject",
			    "application", j->x->id, j->x->org_id, audit_diff_text(&d));
}

int registration_approve(struct app *a, const struct audit_entry *who, int64_t id, struct errlist *errs)
{
	struct application x;
	int rc = registration_get(a, id, &x);
	if (rc)
		return rc;
	if (strcmp(x.status, "pending"))
		return errlist_add(errs, "status", "decided", "this application has been decided already"),
		       ERR_CONFLICT;
	struct app_secret *s = calloc(1, sizeof(*s));
	if (!s)
		return ERR_NOMEM;
	struct secret_job sj = {a, id, s};
	rc = store_read(a->store, secret_read, &sj);
	int64_t person_id = 0, ms_id = 0;
	if (!rc)
		rc = approve_person(a, who, &x, s, errs, &person_id);
	struct link_job lj = {id, person_id, 0};
	if (!rc)
		rc = store_tx(a->store, link_tx, &lj);
	if (!rc)
		rc = approve_membership(a, who, &x, person_id, errs, &ms_id);
	lj.membership_id = ms_id;
	if (!rc)
		rc = store_tx(a->store, link_tx, &lj);
	if (!rc) {
		struct decide_job dj = {who, &x, s, person_id, ms_id, true, NULL, errs};
		rc = store_tx(a->store, decide_tx, &dj);
	}
	sodium_memzero(s, sizeof(*s));
	free(s);
	return rc;
}

int registration_reject(struct app *a, const struct audit_entry *who, int64_t id, const char *reason,
			struct errlist *errs)
{
	char why[200 * 4 + 1];
	if (!reason || name_normalize(reason, strlen(reason), 0, 2, 200, why, sizeof(why), "reason", errs))
		return reason ? ERR_UNPROCESSABLE : errlist_add(errs, "reason", "required", "say why");
	struct application x;
	int rc = registration_get(a, id, &x);
	if (rc)
		return rc;
	struct app_secret s;
	memset(&s, 0, sizeof(s));
	struct decide_job dj = {who, &x, &s, x.person_id, x.membership_id, false, why, errs};
	return store_tx(a->store, decide_tx, &dj);
}

/* ---- to-do ---- */

struct todo_job {
	const struct caller *who;
	int64_t n;
};

static int todo_read(struct conn *c, void *arg)
{
	struct todo_job *j = arg;
	char today[11];
	date_today(today, sizeof(today));
	for (int i = 0; i < j->who->ngrants; i++) {
		const struct grant *g = &j->who->g[i];
		if (rbac_is_post(g->role) || !rbac_role_has(g->role, "member.write"))
			continue;
		int64_t n = 0;
		int rc = conn_row(
			c,
			"SELECT count(*) FROM member_application x WHERE x.status = 'pending' AND x.org_id IN"
			" (SELECT oc.org_id FROM org_closure oc WHERE oc.anc_id = $1 AND oc.valid_from <= $2"
			" AND (oc.valid_to IS NULL OR oc.valid_to > $2))",
			"it", "i", g->org_id, today, &n);
		if (rc)
			return rc;
		j->n += n; /* grants at nested orgs would count twice: callers hold one per subtree */
	}
	return 0;
}

int registration_todo(struct app *a, const struct caller *who, struct todo_list *out)
{
	struct todo_job j = {who, 0};
	int rc = store_read(a->store, todo_read, &j);
	if (rc || !j.n)
		return rc;
	char zh[200], en[200];
	snprintf(zh, sizeof(zh), "%" PRId64 " 份入会申请待审核", j.n);
	snprintf(en, sizeof(en), "%" PRId64 " membership application%s to review", j.n, j.n == 1 ? "" : "s");
	todo_add(out, "member.applications", j.n, zh, en, "/members/applications");
	return 0;
}

/* ---- the registration page's org picker ---- */

struct orgs_job {
	char like[210], prefix[110];
	int (*fn)(const struct org_hit *o, void *arg);
	void *arg;
};

static int org_hit_row(struct stmt *st, void *arg)
{
	struct orgs_job *j = arg;
	struct org_hit o = {.id = stmt_int64(st, 0)};
	str_copy(o.code, sizeof(o.code), stmt_text(st, 1, NULL));
	str_copy(o.name, sizeof(o.name), stmt_text(st, 2, NULL));
	str_copy(o.type, sizeof(o.type), stmt_text(st, 3, NULL));
	return j->fn(&o, j->arg);
}

static int orgs_read(struct conn *c, void *arg)
{
	struct orgs_job *j = arg;
	return conn_each(c,
			 "SELECT id, code, name, type FROM org WHERE closed_on IS NULL"
			 " AND (name LIKE $1 ESCAPE '\\' OR code LIKE $2 ESCAPE '\\') ORDER BY code LIMIT 20",
			 org_hit_row, j, "tt", j->like, j->prefix);
}

int registration_orgs(struct app *a, const char *q, int (*fn)(const struct org_hit *o, void *arg), void *arg)
{
	struct orgs_job j = {.fn = fn, .arg = arg};
	if (!q || utf8_count(q, strlen(q)) < 2 || !store_like(q, "%", "%", j.like, sizeof(j.like)) ||
	    !store_like(q, "", "%", j.prefix, sizeof(j.prefix)))
		return 0; /* nothing to show for less than two characters */
	return store_read(a->store, orgs_read, &j);
}

/* ---- a member's own data ---- */

struct self_job {
	struct app *a;
	const struct audit_entry *who;
	int64_t id;
	char *idn, *mob;
	size_t idcap, mcap;
};

static int self_tx(struct conn *c, void *arg)
{
	struct self_job *j = arg;
	char id_enc[PII_SEALED_MAX] = "", mob_enc[PII_SEALED_MAX] = "";
	int64_t org_id = 0;
	struct pii_ring ring;
	int rc = pii_ring_read(c, &ring);
	if (!rc)
		rc = conn_row(c,
			      "SELECT COALESCE(id_enc, ''), COALESCE(mobile_enc, ''), org_id FROM person"
			      " WHERE id = $1 AND anonymized_at IS NULL",
			      "i", "tti", j->id, id_enc, sizeof(id_enc), mob_enc, sizeof(mob_enc), &org_id);
	if (!rc && id_enc[0])
		rc = pii_open(j->a, &ring, PII_PERSON_ID_NUMBER, id_enc, strlen(id_enc), j->idn, j->idcap,
			      NULL);
	if (!rc && mob_enc[0])
		rc = pii_open(j->a, &ring, PII_PERSON_MOBILE, mob_enc, strlen(mob_enc), j->mob, j->mcap,
			      NULL);
	if (rc)
		return rc;
	return audit_object(c, j->who, "person.export_self", "person", j->id, org_id, "");
}

int member_export_self(struct app *a, const struct audit_entry *who, int64_t person_id, char *id_number,
		       size_t idcap, char *mobile, size_t mcap)
{
	id_number[0] = mobile[0] = '\0';
	struct self_job j = {a, who, person_id, id_number, mobile, idcap, mcap};
	int rc = store_tx(a->store, self_tx, &j);
	if (rc) {
		sodium_memzero(id_number, idcap);
		sodium_memzero(mobile, mcap);
	}
	return rc;
}

struct org_of_job {
	const char *sql;
	int64_t id, *org_id;
};

static int org_of_read(struct conn *c, void *arg)
{
	struct org_of_job *j = arg;
	return conn_row(c, j->sql, "i", "i", j->id, j->org_id);
}

int registration_org_of(struct app *a, int64_t id, int64_t *org_id)
{
	struct org_of_job j = {"SELECT org_id FROM member_application WHERE id = $1", id, org_id};
	return store_read(a->store, org_of_read, &j);
}

int erasure_org_of(struct app *a, int64_t id, int64_t *org_id)
{
	struct org_of_job j = {"SELECT org_id FROM member_erasure WHERE id = $1", id, org_id};
	return store_read(a->store, org_of_read, &j);
}
