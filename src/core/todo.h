/*
 * todo.h - the workbench's to-do list: what waits for the caller, fed by the modules.
 *
 * A platform service adds one *source* to the table in todo.c, a feature module its source
 * to the list api/workbench.c hands to todo_collect: a function that looks at the caller
 * (its roles and scopes) and adds items (a kind, how many, a title in Chinese and English,
 * where in the web app to go). GET /api/v1/todo runs every source for the caller. Sources
 * decide themselves whether they apply (a security administrator's locked accounts mean
 * nothing to staff) and must stay cheap: they run on every visit to the workbench.
 */
#ifndef KEXIE_CORE_TODO_H
#define KEXIE_CORE_TODO_H

#include "core/app.h"
#include "core/rbac.h"
#include "base/err.h"

#include <stdint.h>

#define TODO_MAX 32

struct todo_item {
	char kind[32];      /* "account.locked", "job.failed" ... stable, for the web app */
	int64_t count;      /* > 0 */
	char title_zh[200]; /* what to do, in Chinese ("3 个账号因多次输错密码被锁定") */
	char title_en[200]; /* and in English */
	char link[128];     /* the web app's route to do it ("/users") */
};

struct todo_list {
	struct todo_item items[TODO_MAX];
	int n;
};

/* Adds an item (nothing when count <= 0 or the list is full). Strings are copied. */
void todo_add(struct todo_list *l, const char *kind, int64_t count, const char *title_zh,
	      const char *title_en, const char *link);

/* One source: adds the caller's items to out. Returns 0 or an ERR_* code. */
typedef int (*todo_source_fn)(struct app *a, const struct caller *who, struct todo_list *out);

/* Runs every registered source for who, in the table's order, then the feature modules'
 * sources more[0..nmore) (core knows no feature: the api layer hands them in), into out
 * (emptied first). Returns 0, or the first source's error (the items gathered so far stay
 * in out). */
int todo_collect(struct app *a, const struct caller *who, const todo_source_fn *more, size_t nmore,
		 struct todo_list *out);

#endif
