/*
 * sheet.c - CSV and XLSX in, rows of UTF-8 cells out (see sheet.h).
 *
 * CSV: RFC 4180 parsed on the raw bytes (safe for GB18030 too: its trail bytes are never
 * a comma, quote, CR or LF), then each cell decoded: the whole file is UTF-8 when it
 * validates as such, otherwise GB18030 (a superset of GBK) through iconv, per cell, so an
 * undecodable cell marks only its row. XLSX: libzip reads the parts (inflated size capped),
 * expat parses workbook -> first sheet, shared strings and the sheet's cells.
 */
#include "doc/sheet.h"
#include "base/err.h"
#include "base/arena.h"
#include "base/utf8.h"

#include <expat.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zip.h>

void sheet_free(struct sheet *s)
{
	arena_free(&s->arena);
	free(s->rows);
	memset(s, 0, sizeof(*s));
}

/* ---- building rows ---- */

struct builder {
	struct sheet *s;
	long cap;
	struct sheet_row cur;
	char *cells[SHEET_MAX_COLS]; /* the row being read; copied to the arena at its end */
	bool failed;                 /* out of memory */
};

static int row_begin(struct builder *b, long number)
{
	memset(&b->cur, 0, sizeof(b->cur));
	memset(b->cells, 0, sizeof(b->cells));
	b->cur.number = number;
	return 0;
}

/* Sets cell col (0-based) to the n bytes at v (copied, cut at the limit). */
static void row_set(struct builder *b, int col, const char *v, size_t n)
{
	if (col >= SHEET_MAX_COLS) {
		b->cur.too_long = true;
		return;
	}
	if (n > SHEET_MAX_CELL) {
		n = SHEET_MAX_CELL;
		while (n > 0 && ((unsigned char)v[n] & 0xC0) == 0x80)
			n--; /* never split a character */
		b->cur.too_long = true;
	}
	char *c = arena_alloc(&b->s->arena, n + 1);
	if (!c) {
		b->failed = true;
		return;
	}
	memcpy(c, v, n);
	c[n] = '\0';
	b->cells[col] = c; /* a cell given twice: the later wins, the earlier stays in the arena */
	if (col + 1 > b->cur.ncells)
		b->cur.ncells = col + 1;
}

/* Ends the row: blank rows are dropped, holes become "". */
static int row_end(struct builder *b)
{
	static char empty[1];
	bool blank = true;
	for (int i = 0; i < b->cur.ncells; i++) {
		if (!b->cells[i])
			b->cells[i] = empty;
		else if (b->cells[i][strspn(b->cells[i], " \t")])
			blank = false;
	}
	if (blank && !b->cur.bad_encoding) {
		memset(&b->cur, 0, sizeof(b->cur));
		return 0;
	}
	if (b->s->nrows >= SHEET_MAX_ROWS)
		return ERR_TOOBIG;
	if (b->s->nrows == b->cap) {
		long nc = b->cap ? b->cap * 2 : 256;
		struct sheet_row *p = realloc(b->s->rows, (size_t)nc * sizeof(*p));
		if (!p)
			return ERR_NOMEM;
		b->s->rows = p;
		b->cap = nc;
	}
	size_t bytes = (size_t)(b->cur.ncells ? b->cur.ncells : 1) * sizeof(char *);
	b->cur.cells = arena_alloc(&b->s->arena, bytes);
	if (!b->cur.cells)
		return ERR_NOMEM;
	memcpy(b->cur.cells, b->cells, (size_t)b->cur.ncells * sizeof(char *));
	b->s->rows[b->s->nrows++] = b->cur;
	memset(&b->cur, 0, sizeof(b->cur));
	return b->failed ? ERR_NOMEM : 0;
}

static void row_discard(struct builder *b)
{
	memset(&b->cur, 0, sizeof(b->cur));
}

/* ---- CSV ---- */

/* Decodes one GB18030 cell into out (UTF-8). False when it does not decode. */
static bool from_gb18030(iconv_t cd, const char *in, size_t n, char *out, size_t cap, size_t *outn)
{
	iconv(cd, NULL, NULL, NULL, NULL);
	char *ip = (char *)in, *op = out;
	size_t il = n, ol = cap - 1;
	if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1)
		return false;
	*outn = (size_t)(op - out);
	return true;
}

/* The CSV reader's state: the row being built, the cell being collected (raw bytes, then
 * decoded from GB18030 when the file is not UTF-8), and where the lexer is. */
struct csv_lexer {
	struct builder b;
	bool utf8;
	iconv_t cd;  /* GB18030 -> UTF-8, or (iconv_t)-1 */
	char *dec;   /* decoded cell (GB18030 only) */
	char *cell;  /* raw cell bytes */
	size_t len;  /* bytes in cell */
	size_t cap;  /* at most this many kept; more marks the cell too long */
	int col;     /* column of the cell being collected */
	long record; /* 1-based record number of the row being built */
	bool quoted; /* inside "..." */
	bool open;   /* the cell has begun (a quote after that is data) */
};

/* Skips a BOM, picks the encoding (UTF-8 when valid, GB18030 otherwise) and allocates the
 * buffers. 0, ERR_NOMEM, or ERR_INTERNAL (no GB18030 converter; why says so). */
static int csv_open(struct csv_lexer *lx, const char **data, size_t *n, struct sheet *out, char *why,
		    size_t cap)
{
	bool bom = *n >= 3 && !memcmp(*data, "\xEF\xBB\xBF", 3);
	if (bom) {
		*data += 3;
		*n -= 3;
	}
	memset(lx, 0, sizeof(*lx));
	lx->b.s = out;
	lx->cd = (iconv_t)-1;
	lx->utf8 = utf8_valid(*data, *n, NULL);
	lx->cap = SHEET_MAX_CELL * 2;
	lx->record = 1;
	out->format = "csv";
	out->encoding = lx->utf8 ? (bom ? "utf-8-bom" : "utf-8") : "gb18030";
	if (!lx->utf8) {
		/* a GB18030 four-byte sequence (lead 81-FE, then 30-39) is beyond GBK */
		const unsigned char *p = (const unsigned char *)*data;
		for (size_t i = 0; i + 1 < *n && !out->beyond_gbk; i++) {
			if (p[i] < 0x81 || p[i] == 0xFF)
				continue;
			out->beyond_gbk = p[i + 1] >= 0x30 && p[i + 1] <= 0x39;
			i++; /* a two-byte character (or the first half of four) */
		}
		lx->cd = iconv_open("UTF-8", "GB18030");
		if (lx->cd == (iconv_t)-1) {
			snprintf(why, cap, "cannot decode GB18030 on this system");
			return ERR_INTERNAL;
		}
		if (!(lx->dec = malloc(lx->cap + 8)))
			return ERR_NOMEM;
	}
	return (lx->cell = malloc(lx->cap + 8)) ? 0 : ERR_NOMEM;
}

static void csv_close(struct csv_lexer *lx)
{
	free(lx->cell);
	free(lx->dec);
	if (lx->cd != (iconv_t)-1)
		iconv_close(lx->cd);
}

/* Appends k bytes to the cell; past the cap the rest is dropped and the cell is marked. */
static void cell_put(struct csv_lexer *lx, const char *p, size_t k)
{
	if (k > lx->cap - lx->len) {
		k = lx->cap - lx->len;
		lx->b.cur.too_long = true;
	}
	memcpy(lx->cell + lx->len, p, k);
	lx->len += k;
}

/* The cell is complete: decoded (an undecodable one is marked and stored empty) into the
 * row; the next cell starts. */
static void cell_flush(struct csv_lexer *lx)
{
	if (lx->utf8) {
		row_set(&lx->b, lx->col, lx->cell, lx->len);
	} else {
		size_t dn = 0;
		if (from_gb18030(lx->cd, lx->cell, lx->len, lx->dec, lx->cap, &dn)) {
			row_set(&lx->b, lx->col, lx->dec, dn);
		} else {
			lx->b.cur.bad_encoding = true;
			row_set(&lx->b, lx->col, "", 0);
		}
	}
	lx->len = 0;
	lx->col++;
	lx->open = false;
}

/* Inside quotes at data[i]: a doubled quote is one quote, a single one ends the quoting,
 * anything else is copied up to the next quote in one run. Returns the next index. */
static size_t lex_quoted(struct csv_lexer *lx, const char *data, size_t n, size_t i)
{
	if (data[i] == '"') {
		if (i + 1 < n && data[i + 1] == '"') {
			cell_put(lx, "\"", 1);
			return i + 2;
		}
		lx->quoted = false;
		return i + 1;
	}
	const char *q = memchr(data + i, '"', n - i);
	size_t run = q ? (size_t)(q - (data + i)) : n - i;
	cell_put(lx, data + i, run);
	return i + run;
}

/* The RFC 4180 lexer over the whole text (quotes, doubled quotes, CRLF / LF / CR line ends,
 * a last line without its end); each row goes to the builder. 0 or the builder's error. */
static int csv_lex(struct csv_lexer *lx, const char *data, size_t n)
{
	size_t i = 0;
	int rc = 0;
	row_begin(&lx->b, lx->record);
	while (i < n && !rc) {
		char ch = data[i];
		if (lx->quoted) {
			i = lex_quoted(lx, data, n, i);
		} else if (ch == '"' && lx->len == 0 && !lx->open) {
			lx->quoted = lx->open = true;
			i++;
		} else if (ch == ',') {
			cell_flush(lx);
			i++;
		} else if (ch == '\r' || ch == '\n') {
			cell_flush(lx);
			rc = row_end(&lx->b);
			i += ch == '\r' && i + 1 < n && data[i + 1] == '\n' ? 2 : 1;
			row_begin(&lx->b, ++lx->record);
			lx->col = 0;
		} else {
			/* an unquoted cell: the run up to the next comma or line end in one copy */
			lx->open = true;
			size_t j = i + 1;
			while (j < n && data[j] != ',' && data[j] != '\r' && data[j] != '\n')
				j++;
			cell_put(lx, data + i, j - i);
			i = j;
		}
	}
	if (!rc && (lx->len || lx->col || lx->open)) {
		cell_flush(lx);
		rc = row_end(&lx->b);
	} else {
		row_discard(&lx->b);
	}
	return rc;
}

int sheet_parse_csv(const char *data, size_t n, struct sheet *out, char *why, size_t cap)
{
	memset(out, 0, sizeof(*out));
	struct csv_lexer lx;
	int rc = csv_open(&lx, &data, &n, out, why, cap);
	if (!rc)
		rc = csv_lex(&lx, data, n);
	csv_close(&lx);
	if (rc == ERR_TOOBIG)
		snprintf(why, cap, "more than %d rows", SHEET_MAX_ROWS);
	if (rc)
		sheet_free(out);
	return rc;
}

/* ---- XLSX ---- */

/* Reads a whole ZIP entry, refusing one that inflates past the limit. NULL when absent. */
static char *zip_part(zip_t *z, const char *name, size_t *n, int *rc)
{
	*rc = 0;
	zip_stat_t st;
	if (zip_stat(z, name, 0, &st) != 0)
		return NULL;
	zip_file_t *f = zip_fopen(z, name, 0);
	if (!f)
		return NULL;
	size_t capn = 1 << 16, len = 0;
	char *buf = malloc(capn + 1);
	while (buf) {
		if (len == capn) {
			if (capn >= SHEET_MAX_BYTES) {
				*rc = ERR_TOOBIG; /* whatever the header claims: we count what inflates */
				break;
			}
			char *p = realloc(buf, capn * 2 + 1);
			if (!p)
				break;
			buf = p;
			capn *= 2;
		}
		zip_int64_t got = zip_fread(f, buf + len, capn - len);
		if (got < 0) {
			*rc = ERR_INVALID;
			break;
		}
		if (got == 0)
			break;
		len += (size_t)got;
	}
	zip_fclose(f);
	if (!buf && !*rc)
		*rc = ERR_NOMEM;
	if (*rc) {
		free(buf);
		return NULL;
	}
	buf[len] = '\0';
	*n = len;
	return buf;
}

static const char *local(const char *name)
{
	const char *c = strchr(name, ':');
	return c ? c + 1 : name;
}

static const char *attr(const char **a, const char *name)
{
	for (int i = 0; a[i]; i += 2)
		if (!strcmp(local(a[i]), name))
			return a[i + 1];
	return NULL;
}

/* text collected in a bounded buffer */
struct text {
	char s[SHEET_MAX_CELL + 8];
	size_t n;
	bool cut;
};

static void text_add(struct text *t, const char *s, int len)
{
	for (int i = 0; i < len; i++) {
		if (t->n < SHEET_MAX_CELL)
			t->s[t->n++] = s[i];
		else
			t->cut = true;
	}
}

/* workbook.xml / rels: the first sheet's target */
struct wb {
	const char *want; /* the worksheet's name (NULL: the first) */
	char rid[64];
	char target[256];
};

static void wb_start(void *ud, const char *el, const char **a)
{
	struct wb *w = ud;
	const char *v;
	if (!strcmp(local(el), "sheet") && !w->rid[0] && (v = attr(a, "id"))) {
		const char *name = attr(a, "name");
		if (!w->want || (name && !strcmp(name, w->want)))
			snprintf(w->rid, sizeof(w->rid), "%s", v);
	}
	if (!strcmp(local(el), "Relationship") && w->rid[0] && !w->target[0] && (v = attr(a, "Id")) &&
	    !strcmp(v, w->rid) && (v = attr(a, "Target")))
		snprintf(w->target, sizeof(w->target), "%s", v);
}

static int parse_xml(const char *buf, size_t n, void *ud, XML_StartElementHandler s, XML_EndElementHandler e,
		     XML_CharacterDataHandler cd)
{
	XML_Parser p = XML_ParserCreate(NULL);
	if (!p)
		return ERR_NOMEM;
	XML_SetUserData(p, ud);
	XML_SetElementHandler(p, s, e);
	if (cd)
		XML_SetCharacterDataHandler(p, cd);
	int rc = XML_Parse(p, buf, (int)n, 1) == XML_STATUS_OK ? 0 : ERR_INVALID;
	XML_ParserFree(p);
	return rc;
}

/* sharedStrings.xml */
struct sst {
	char **v;
	long n, cap;
	struct text t;
	int depth_rph; /* inside phonetic runs, which are not part of the text */
	bool in_t, in_si;
	int rc;
};

static void sst_start(void *ud, const char *el, const char **a)
{
	(void)a;
	struct sst *s = ud;
	const char *l = local(el);
	if (!strcmp(l, "si")) {
		s->in_si = true;
		s->t.n = 0;
	} else if (!strcmp(l, "rPh")) {
		s->depth_rph++;
	} else if (!strcmp(l, "t")) {
		s->in_t = true;
	}
}

static void sst_end(void *ud, const char *el)
{
	struct sst *s = ud;
	const char *l = local(el);
	if (!strcmp(l, "t")) {
		s->in_t = false;
	} else if (!strcmp(l, "rPh")) {
		s->depth_rph--;
	} else if (!strcmp(l, "si") && !s->rc) {
		if (s->n == s->cap) {
			long nc = s->cap ? s->cap * 2 : 1024;
			char **p = nc <= 2000000 ? realloc(s->v, (size_t)nc * sizeof(*p)) : NULL;
			if (!p) {
				s->rc = nc > 2000000 ? ERR_TOOBIG : ERR_NOMEM;
				return;
			}
			s->v = p;
			s->cap = nc;
		}
		char *c = malloc(s->t.n + 1);
		if (!c) {
			s->rc = ERR_NOMEM;
			return;
		}
		memcpy(c, s->t.s, s->t.n);
		c[s->t.n] = '\0';
		s->v[s->n++] = c;
		s->in_si = false;
	}
}

static void sst_text(void *ud, const char *s, int len)
{
	struct sst *x = ud;
	if (x->in_si && x->in_t && !x->depth_rph)
		text_add(&x->t, s, len);
}

/* the worksheet */
struct ws {
	struct builder b;
	const struct sst *sst;
	long row_no;
	int col;
	char type[16];
	bool in_row, in_v, in_t;
	struct text t;
	int rc;
};

static int col_of(const char *ref)
{
	int c = 0;
	for (; *ref >= 'A' && *ref <= 'Z'; ref++) {
		c = c * 26 + (*ref - 'A' + 1);
		if (c > 16384)
			return -1;
	}
	return c - 1;
}

static void ws_start(void *ud, const char *el, const char **a)
{
	struct ws *w = ud;
	const char *l = local(el), *v;
	if (w->rc)
		return;
	if (!strcmp(l, "row")) {
		long r = (v = attr(a, "r")) ? strtol(v, NULL, 10) : w->row_no + 1;
		w->row_no = r > w->row_no ? r : w->row_no + 1;
		row_begin(&w->b, w->row_no);
		w->in_row = true;
		w->col = -1;
	} else if (!strcmp(l, "c") && w->in_row) {
		int c = (v = attr(a, "r")) ? col_of(v) : w->col + 1;
		w->col = c < 0 ? w->col + 1 : c;
		v = attr(a, "t");
		snprintf(w->type, sizeof(w->type), "%s", v ? v : "n");
		w->t.n = 0;
		w->t.cut = false;
	} else if (!strcmp(l, "v")) {
		w->in_v = true;
	} else if (!strcmp(l, "t")) {
		w->in_t = true;
	}
}

static void ws_end(void *ud, const char *el)
{
	struct ws *w = ud;
	const char *l = local(el);
	if (w->rc)
		return;
	if (!strcmp(l, "v")) {
		w->in_v = false;
	} else if (!strcmp(l, "t")) {
		w->in_t = false;
	} else if (!strcmp(l, "c") && w->in_row) {
		w->t.s[w->t.n] = '\0';
		const char *val = w->t.s;
		size_t n = w->t.n;
		if (!strcmp(w->type, "s")) {
			char *end;
			long idx = strtol(w->t.s, &end, 10);
			val = (end != w->t.s && idx >= 0 && idx < w->sst->n) ? w->sst->v[idx] : "";
			n = strlen(val);
		} else if (!strcmp(w->type, "b")) {
			val = n && w->t.s[0] == '1' ? "TRUE" : "FALSE";
			n = strlen(val);
		}
		if (w->t.cut)
			w->b.cur.too_long = true;
		if (n)
			row_set(&w->b, w->col, val, n);
		if (n && !strcmp(w->type, "n") && w->col >= 0 && w->col < SHEET_MAX_COLS)
			w->b.cur.numeric |= (uint64_t)1 << w->col;
	} else if (!strcmp(l, "row") && w->in_row) {
		w->in_row = false;
		w->rc = row_end(&w->b);
	}
}

static void ws_text(void *ud, const char *s, int len)
{
	struct ws *w = ud;
	if (w->in_v || w->in_t)
		text_add(&w->t, s, len);
}

static int read_xlsx(const char *data, size_t len, const char *want, struct sheet *out, char *why, size_t cap)
{
	int rc = 0;
	zip_error_t zerr;
	zip_error_init(&zerr);
	zip_source_t *src = zip_source_buffer_create(data, len, 0, &zerr);
	zip_t *z = src ? zip_open_from_source(src, ZIP_RDONLY, &zerr) : NULL;
	zip_error_fini(&zerr);
	if (!z) {
		zip_source_free(src);
		snprintf(why, cap, "not a readable XLSX file (damaged ZIP)");
		return ERR_INVALID;
	}
	size_t n = 0;
	struct wb w = {.want = want && *want ? want : NULL};
	char *buf = zip_part(z, "xl/workbook.xml", &n, &rc);
	if (buf) {
		parse_xml(buf, n, &w, wb_start, NULL, NULL);
		free(buf);
		buf = zip_part(z, "xl/_rels/workbook.xml.rels", &n, &rc);
		if (buf) {
			parse_xml(buf, n, &w, wb_start, NULL, NULL);
			free(buf);
		}
	}
	if (want && !w.target[0]) {
		snprintf(why, cap, "the XLSX file has no worksheet named %s", want);
		rc = ERR_UNPROCESSABLE;
		zip_close(z);
		return rc;
	}
	char part[300] = "xl/worksheets/sheet1.xml";
	if (w.target[0] == '/')
		snprintf(part, sizeof(part), "%s", w.target + 1);
	else if (w.target[0] && !strstr(w.target, ".."))
		snprintf(part, sizeof(part), "xl/%s", w.target);
	struct sst *s = calloc(1, sizeof(*s));
	struct ws *ws = calloc(1, sizeof(*ws));
	if (!s || !ws) {
		rc = ERR_NOMEM;
		goto done;
	}
	buf = zip_part(z, "xl/sharedStrings.xml", &n, &rc);
	if (buf) {
		rc = parse_xml(buf, n, s, sst_start, sst_end, sst_text);
		free(buf);
		rc = rc ? rc : s->rc;
	}
	if (rc) {
		snprintf(why, cap,
			 rc == ERR_TOOBIG ? "the XLSX file is too large once unpacked"
					  : "the XLSX shared strings cannot be read");
		goto done;
	}
	buf = zip_part(z, part, &n, &rc);
	if (!buf) {
		snprintf(why, cap,
			 rc == ERR_TOOBIG ? "the worksheet is too large once unpacked"
					  : "the XLSX file has no worksheet");
		rc = rc ? rc : ERR_INVALID;
		goto done;
	}
	ws->b.s = out;
	ws->sst = s;
	out->format = "xlsx";
	out->encoding = "xlsx";
	rc = parse_xml(buf, n, ws, ws_start, ws_end, ws_text);
	free(buf);
	if (!rc)
		rc = ws->rc;
	if (ws->in_row)
		row_discard(&ws->b);
	if (rc == ERR_TOOBIG)
		snprintf(why, cap, "more than %d rows", SHEET_MAX_ROWS);
	else if (rc)
		snprintf(why, cap, "the worksheet cannot be read (damaged XML)");
done:
	if (s) {
		for (long i = 0; i < s->n; i++)
			free(s->v[i]);
		free(s->v);
	}
	free(s);
	free(ws);
	zip_close(z);
	if (rc)
		sheet_free(out);
	return rc;
}

int sheet_read_mem(const char *data, size_t n, struct sheet *out, char *why, size_t cap)
{
	return sheet_read_mem_named(data, n, NULL, out, why, cap);
}

int sheet_read_mem_named(const char *data, size_t n, const char *sheet, struct sheet *out, char *why,
			 size_t cap)
{
	memset(out, 0, sizeof(*out));
	if (n == 0) {
		snprintf(why, cap, "the file is empty");
		return ERR_UNPROCESSABLE;
	}
	if (n > SHEET_MAX_BYTES) {
		snprintf(why, cap, "the file is larger than %u MB", SHEET_MAX_BYTES >> 20);
		return ERR_TOOBIG;
	}
	if (n >= 4 && !memcmp(data, "PK\x03\x04", 4))
		return read_xlsx(data, n, sheet && *sheet ? sheet : NULL, out, why, cap);
	/* binary files (old .xls, images) are not CSV */
	if (memchr(data, '\0', n)) {
		snprintf(why, cap, "not a CSV or XLSX file (save the sheet as .xlsx or .csv)");
		return ERR_UNPROCESSABLE;
	}
	return sheet_parse_csv(data, n, out, why, cap);
}

int sheet_read(const char *path, struct sheet *out, char *why, size_t cap)
{
	return sheet_read_named(path, NULL, out, why, cap);
}

int sheet_read_named(const char *path, const char *sheet, struct sheet *out, char *why, size_t cap)
{
	memset(out, 0, sizeof(*out));
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(why, cap, "cannot open %s", path);
		return ERR_NOTFOUND;
	}
	struct stat st;
	if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode)) {
		fclose(f);
		snprintf(why, cap, "%s is not a regular file", path);
		return ERR_INVALID;
	}
	if (st.st_size == 0) {
		fclose(f);
		snprintf(why, cap, "the file is empty");
		return ERR_UNPROCESSABLE;
	}
	if ((unsigned long long)st.st_size > SHEET_MAX_BYTES) {
		fclose(f);
		snprintf(why, cap, "the file is larger than %u MB", SHEET_MAX_BYTES >> 20);
		return ERR_TOOBIG;
	}
	size_t n = (size_t)st.st_size;
	char *data = malloc(n + 1);
	if (!data || fread(data, 1, n, f) != n) {
		free(data);
		fclose(f);
		snprintf(why, cap, "cannot read %s", path);
		return ERR_INTERNAL;
	}
	fclose(f);
	data[n] = '\0';
	int rc = sheet_read_mem_named(data, n, sheet, out, why, cap);
	free(data);
	return rc;
}
