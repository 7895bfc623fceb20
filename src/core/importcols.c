/*
 * importcols.c - header mapping and cell cleaning shared by the imports (see importcols.h).
 */
#include "core/importcols.h"
#include "core/app.h"
#include "core/codelist.h"
#include "core/job.h"
#include "core/rbac.h"
#include "core/user.h"
#include "base/utf8.h"
#include "doc/writer.h"

#include <inttypes.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <string.h>

void import_clean(char *s, bool ascii)
{
	char *w = s;
	const unsigned char *r = (const unsigned char *)s;
	while (ascii && *r) {
		if (r[0] == 0xEF && (r[1] == 0xBC || r[1] == 0xBD) && r[2]) {
			unsigned cp = ((r[0] & 0x0Fu) << 12) | ((r[1] & 0x3Fu) << 6) | (r[2] & 0x3Fu);
			if (cp >= 0xFF01 && cp <= 0xFF5E) {
				*w++ = (char)(cp - 0xFF01 + 0x21);
				r += 3;
				continue;
			}
		}
		*w++ = (char)*r++;
	}
	if (ascii)
		*w = '\0';
	/* trim: ASCII space/tab and U+3000 */
	char *b = s;
	for (;;) {
		if (*b == ' ' || *b == '\t')
			b++;
		else if (!strncmp(b, "\xE3\x80\x80", 3))
			b += 3;
		else
			break;
	}
	size_t n = strlen(b);
	for (;;) {
		if (n && (b[n - 1] == ' ' || b[n - 1] == '\t'))
			n--;
		else if (n >= 3 && !strncmp(b + n - 3, "\xE3\x80\x80", 3))
			n -= 3;
		else
			break;
	}
	if (n >= 2 && b[0] == '\'' && doc_formula_like(b + 1)) {
		b++;
		n--;
	}
	if (b != s)
		memmove(s, b, n);
	s[n] = '\0';
}

int import_header_col(const struct import_colspec *cols, int n, const char *name)
{
	for (int c = 0; c < n; c++)
		if (word_in(cols[c].aliases, '|', name, true))
			return c;
	return -1;
}

void import_columns(struct sheet *s, const struct import_colspec *cols, int n, struct import_column *out,
		    int max, int *nout)
{
	*nout = 0;
	if (s->nrows == 0)
		return;
	struct sheet_row *h = &s->rows[0];
	bool seen[SHEET_MAX_COLS] = {false};
	for (int k = 0; k < h->ncells && *nout < max; k++) {
		import_clean(h->cells[k], false);
		int c = h->cells[k][0] ? import_header_col(cols, n, h->cells[k]) : -1;
		out[*nout].index = k;
		out[*nout].header = h->cells[k];
		out[*nout].field = c >= 0 && c < SHEET_MAX_COLS && !seen[c] ? cols[c].field : NULL;
		if (c >= 0 && c < SHEET_MAX_COLS)
			seen[c] = true;
		(*nout)++;
	}
}

void import_known(const struct import_colspec *cols, int n, char *out, size_t cap)
{
	size_t len = 0;
	out[0] = '\0';
	for (int c = 0; c < n && len + 1 < cap; c++) {
		int w = snprintf(out + len, cap - len, "%s%s (%s)", c ? ", " : "", cols[c].zh, cols[c].field);
		if (w < 0 || (size_t)w >= cap - len)
			break;
		len += (size_t)w;
	}
}

int import_job_caller(struct job *j, struct caller **out)
{
	*out = NULL;
	struct user_detail *u = malloc(sizeof(*u));
	struct caller *c = calloc(1, sizeof(*c));
	if (!u || !c) {
		free(u);
		free(c);
		return ERR_NOMEM;
	}
	int rc = user_get(job_app(j), job_info(j)->owner_id, u);
	if (!rc && strcmp(u->status, "active")) {
		job_set_message(j, "the account that started the import is disabled");
		rc = ERR_FORBIDDEN;
	}
	if (!rc) {
		c->user_id = u->id;
		for (int i = 0; i < u->ngrants && c->ngrants < CALLER_MAX_GRANTS; i++) {
			struct grant *g = &c->g[c->ngrants++];
			str_copy(g->role, sizeof(g->role), u->g[i].role);
			g->org_id = u->g[i].org_id;
		}
	}
	free(u);
	if (rc)
		free(c);
	else
		*out = c;
	return rc;
}

int import_rejected_path(const struct app *a, int64_t job_id, char *out, size_t cap)
{
	int w = snprintf(out, cap, "%s/jobs/job-%" PRId64 ".rejected.csv", a->data_dir, job_id);
	return w < 0 || (size_t)w >= cap ? ERR_INTERNAL : 0;
}

/* Error files hold the refused rows as uploaded (ID numbers and mobiles in clear): each is
 * removed IMPORT_REJECTED_KEEP_S after it was written, by the next import that writes one. */
static void sweep_rejected(const struct app *a)
{
	char dir[1024];
	if (snprintf(dir, sizeof(dir), "%s/jobs", a->data_dir) >= (int)sizeof(dir))
		return;
	DIR *d = opendir(dir);
	if (!d)
		return;
	time_t now = time(NULL);
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (strncmp(e->d_name, "job-", 4) || n < 13 || strcmp(e->d_name + n - 13, ".rejected.csv"))
			continue;
		char path[1400];
		struct stat st;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (!stat(path, &st) && now - st.st_mtime > IMPORT_REJECTED_KEEP_S)
			unlink(path);
	}
	closedir(d);
}

int import_rejected_write(struct app *a, int64_t job_id, const struct sheet_row *header,
			  const struct sheet_row *const *rows, const char *const *why, long n)
{
	char path[1024];
	int rc = import_rejected_path(a, job_id, path, sizeof(path));
	if (rc)
		return rc;
	struct doc_writer_opts o = {.bom = true, .max_bytes = (size_t)128 << 20};
	struct doc_writer *w = NULL;
	rc = doc_writer_open(DOC_CSV, &o, &w);
	if (rc)
		return rc;
	int width = header->ncells;
	for (long i = 0; i < n; i++)
		if (rows[i]->ncells > width)
			width = rows[i]->ncells;
	const char **cells = calloc((size_t)width + 1, sizeof(*cells));
	if (!cells) {
		doc_writer_free(w);
		return ERR_NOMEM;
	}
	for (int k = 0; k < width; k++)
		cells[k] = k < header->ncells ? header->cells[k] : "";
	cells[width] = "错误";
	rc = doc_writer_row(w, cells, width + 1);
	for (long i = 0; !rc && i < n; i++) {
		for (int k = 0; k < width; k++)
			cells[k] = k < rows[i]->ncells && !rows[i]->bad_encoding ? rows[i]->cells[k] : "";
		cells[width] = why[i];
		rc = doc_writer_row(w, cells, width + 1);
	}
	free(cells);
	if (rc) {
		doc_writer_free(w);
		return rc;
	}
	rc = doc_writer_close_file(w, path);
	if (!rc && chmod(path, 0600))
		rc = ERR_IO;
	sweep_rejected(a);
	return rc;
}

int import_next_batch(int rows, int max, uint64_t took_ms)
{
	if (took_ms > IMPORT_STEP_MS && rows > IMPORT_STEP_MIN)
		return rows / 2 > IMPORT_STEP_MIN ? rows / 2 : IMPORT_STEP_MIN;
	if (took_ms < IMPORT_STEP_MS / 4 && rows < max)
		return rows * 2 < max ? rows * 2 : max;
	return rows;
}

size_t import_why_add(char *out, size_t cap, size_t len, const char *col, const char *code,
		      const char *message)
{
	const char *label = codeset_label(&codelist_error, code, true);
	if (!strcmp(label, code) && message && *message)
		label = message;
	col = col ? col : "";
	int w = snprintf(out + len, cap - len, "%s%s%s%s", len ? "；" : "", col, *col ? "：" : "", label);
	if (w < 0 || (size_t)w >= cap - len) {
		out[len] = '\0';
		return len;
	}
	return len + (size_t)w;
}
