/* Contexts: ports context/context.go (emptyCtx, cancelCtx, timerCtx,
 * valueCtx: propagateCancel, parentCancelCtx, removeChild, cancel, Value),
 * with reference counts standing in for Go's garbage collector. */
#include "runtime2.h"
#include "platform.h"
#include "goro.h"

enum { CTX_BACKGROUND, CTX_CANCEL, CTX_VALUE };

#define CTX_MAGIC 0x63747821u   /* "ctx!" */

/* A context. Kinds: the background (one static instance, never counted),
 * a cancel context (with_cancel, and with_deadline when timer is armed,
 * Go's cancelCtx and timerCtx) and a value context.
 *
 * Lifetime: refs counts the caller's handle (until goro_ctx_free), each
 * context whose parent is this one, and, for a cancel context, its
 * membership of its cparent's children list (also while a cancel that
 * detached that list is still walking it). At 0 the memory goes and the
 * reference on the parent is dropped. So nothing reachable is ever freed
 * under a reader: a child keeps its ancestors, a list keeps its members.
 *
 * Locking: mu (a runtime lock; one context's at a time, and under it only
 * addtimer's, when with_deadline arms the timer) is per cancel context and
 * guards err's writes, children, and the links of the children in that
 * list. Once err is set the list has been detached
 * by the one cancel that set it, which then owns it: removeChild leaves a
 * done parent's list alone. So cancelling n children takes the parent's
 * lock once, then each child's own. The deadline's timer f runs on g0; it
 * takes only these runtime locks and closes a channel. */
struct goro_ctx {
	uint32_t magic;             /* CTX_MAGIC while allocated */
	uint8_t kind;               /* CTX_*; immutable */
	bool has_timer;             /* immutable: with_deadline armed (or meant to arm) timer */
	uint32_t refs;              /* atomic (see above) */
	uint32_t handle;            /* atomic: 1 until goro_ctx_free */
	struct goro_ctx *parent;    /* immutable; holds a reference */
	struct goro_ctx *cctx;      /* immutable: the nearest cancel context, self included, or NULL */
	int64_t deadline;           /* immutable: the earliest of its own and its ancestors', 0 none */
	const void *key;            /* CTX_VALUE; immutable */
	void *val;

	/* CTX_CANCEL only */
	struct mutex mu;
	int32_t err;                /* 0 while live; written once under mu, store-release */
	goro_chan *done;            /* immutable; closed by the cancel that sets err */
	struct goro_ctx *cparent;   /* immutable once linked: whose children list holds it */
	bool linked;                /* under cparent->mu: in that list until removed or detached */
	struct goro_ctx *children;  /* under mu, while err is 0 */
	struct goro_ctx *next, *prev;   /* siblings; under cparent->mu while linked */
	struct goro_ctx *worknext;  /* owned by the cancel that detached this context */
	struct goro_ctx *closenext; /* the same cancel's list of done channels to close */
	struct timer timer;         /* has_timer: fires ctx_deadline_exceeded at deadline */
};

static struct goro_ctx background = { .magic = CTX_MAGIC, .kind = CTX_BACKGROUND };

static bool ctx_valid(const goro_ctx *c)
{
	/* relaxed: a check against stale handles; whoever has the handle got
	 * c with it, published by ctx_new's release */
	return c != NULL && a_load_relaxed(&c->magic) == CTX_MAGIC;
}

/* A context the caller may use: refused when NULL or stale, fatal under
 * GORO_DEBUG=strict=1 with what (Go panics on a nil Context). */
static bool ctx_ok(const goro_ctx *c, const char *call, const char *what)
{
	if (ctx_valid(c))
		return true;
	if (debug.strict)
		throw_call(call, what);
	return false;
}

#define NIL_PARENT ": cannot create context from nil parent (GORO_DEBUG=strict=1)"

/* Drop one reference; at the last, free c and drop its reference on its
 * parent, and so on up (a loop, not recursion: chains may be long). The
 * handle and every child are gone by then, so nothing else reads c, and a
 * timer it had was waited out by goro_ctx_free. */
static void ctx_unref(struct goro_ctx *c)
{
	while (c != NULL && c->kind != CTX_BACKGROUND) {
		/* seq_cst: the last drop must see every other holder's writes */
		if (a_xadd(&c->refs, (uint32_t)-1) != 0)
			return;
		struct goro_ctx *p = c->parent;
		if (c->done != NULL)
			goro_chan_free(c->done);
		a_store_relaxed(&c->magic, 0);   /* relaxed: for a stale handle's check only */
		rtfree(c, sizeof *c);
		c = p;
	}
}

/* The first half of cancelCtx.cancel: set err, detach the children onto
 * *work (each keeps its list reference, now owned by the walk) and stop
 * the timer. done is closed later, by ctx_cancel. False if c was done
 * already. */
static bool cancel_one(struct goro_ctx *c, int err, struct goro_ctx **work)
{
	lock(&c->mu);
	if (c->err != 0) {
		unlock(&c->mu);
		return false;
	}
	a_store_rel(&c->err, err);   /* release: err readers then see a done context */
	struct goro_ctx *list = c->children;
	c->children = NULL;
	unlock(&c->mu);

	for (struct goro_ctx *x = list; x != NULL; x = x->next) {
		x->worknext = *work;
		*work = x;
	}
	if (c->has_timer)
		deltimer(&c->timer);   /* never waits; may be the timer's own f */
	return true;
}

/* removeChild: take c out of its parent's list, unless the parent is done
 * (its cancel owns the list now and drops c's list reference itself). */
static void removeChild(struct goro_ctx *c)
{
	struct goro_ctx *p = c->cparent;
	if (p == NULL)
		return;
	bool drop = false;
	lock(&p->mu);
	if (c->linked && p->err == 0) {
		if (c->prev != NULL)
			c->prev->next = c->next;
		else
			p->children = c->next;
		if (c->next != NULL)
			c->next->prev = c->prev;
		c->next = c->prev = NULL;
		c->linked = false;
		drop = true;
	}
	unlock(&p->mu);
	if (drop)
		ctx_unref(c);
}

/* cancelCtx.cancel: c and every descendant become done with err. The
 * descendants are walked with an explicit work list (worknext), so a deep
 * tree does not eat the stack, and each child's lock is taken without its
 * parent's. Every err is set before any done is closed, and done channels
 * close leaves first (the reverse of the walk, which reaches a context
 * after its parent): whoever sees a context done finds all its
 * descendants' Err set, as after Go's cancel, which holds the parent's
 * lock across its children's. */
static void ctx_cancel(struct goro_ctx *c, bool removeFromParent, int err)
{
	struct goro_ctx *work = NULL, *closing = NULL;
	if (!cancel_one(c, err, &work))
		return;
	while (work != NULL) {
		struct goro_ctx *x = work;
		work = x->worknext;
		x->worknext = NULL;
		if (cancel_one(x, err, &work)) {
			x->closenext = closing;   /* keeps the list reference until closed */
			closing = x;
		} else {
			ctx_unref(x);   /* done by its own cancel; the walk's reference goes */
		}
	}
	while (closing != NULL) {
		struct goro_ctx *x = closing;
		closing = x->closenext;
		x->closenext = NULL;
		goro_chan_close(x->done);
		ctx_unref(x);
	}
	goro_chan_close(c->done);
	if (removeFromParent)
		removeChild(c);
}

/* The deadline timer's f (timerCtx's AfterFunc closure). Runs on g0;
 * goro_ctx_free's timerwait keeps c alive until it has returned. */
static void ctx_deadline_exceeded(void *arg, uintptr_t seq)
{
	(void)seq;
	ctx_cancel(arg, true, GORO_TIMEOUT);
}

/* A new context of kind under parent, holding a reference on it. */
static struct goro_ctx *ctx_new(struct goro_ctx *parent, int kind)
{
	struct goro_ctx *c = rtmalloc(sizeof *c);
	if (c == NULL)
		return NULL;
	lockInit(&c->mu, lockRankCtx);
	if (kind == CTX_CANCEL) {
		c->done = goro_chan_make(0, 0);
		if (c->done == NULL) {
			rtfree(c, sizeof *c);
			return NULL;
		}
		c->cctx = c;
	} else {
		c->cctx = parent->cctx;
	}
	c->kind = (uint8_t)kind;
	c->refs = 1;
	c->handle = 1;
	c->parent = parent;
	c->deadline = parent->deadline;
	if (parent->kind != CTX_BACKGROUND)
		a_xadd(&parent->refs, 1);   /* from one the caller holds: orders nothing */
	a_store_rel(&c->magic, CTX_MAGIC);   /* release: publishes c with its handle */
	return c;
}

/* propagateCancel: arrange for c to be cancelled with its nearest cancel
 * ancestor (parentCancelCtx), or at once if that one is done already. */
static void propagateCancel(struct goro_ctx *c)
{
	struct goro_ctx *p = c->parent->cctx;
	if (p == NULL)
		return;   /* background-rooted: never done */
	lock(&p->mu);
	int perr = p->err;
	if (perr == 0) {
		a_xadd(&c->refs, 1);   /* the list's reference, as ctx_new's */
		c->cparent = p;
		c->linked = true;
		c->prev = NULL;
		c->next = p->children;
		if (p->children != NULL)
			p->children->prev = c;
		p->children = c;
	}
	unlock(&p->mu);
	if (perr != 0)
		ctx_cancel(c, false, perr);
}

goro_ctx *goro_ctx_background(void)
{
	return &background;
}

goro_ctx *goro_ctx_with_cancel(goro_ctx *parent)
{
	if (!ctx_ok(parent, "goro_ctx_with_cancel", NIL_PARENT))
		return NULL;
	struct goro_ctx *c = ctx_new(parent, CTX_CANCEL);
	if (c == NULL)
		return NULL;
	propagateCancel(c);
	return c;
}

goro_ctx *goro_ctx_with_deadline(goro_ctx *parent, int64_t deadline)
{
	if (!ctx_ok(parent, "goro_ctx_with_deadline", NIL_PARENT))
		return NULL;
	if (deadline <= 0)
		deadline = 1;   /* long past, and not "no deadline" */
	if (parent->deadline != 0 && parent->deadline <= deadline)
		return goro_ctx_with_cancel(parent);   /* the parent's deadline comes first */
	if (!timers_ready())
		return NULL;
	struct goro_ctx *c = ctx_new(parent, CTX_CANCEL);
	if (c == NULL)
		return NULL;
	c->deadline = deadline;
	c->has_timer = true;
	c->timer.f = ctx_deadline_exceeded;
	c->timer.arg = c;
	c->timer.when = deadline;
	propagateCancel(c);
	if (deadline <= plat_nanotime()) {
		ctx_cancel(c, true, GORO_TIMEOUT);
		return c;
	}
	/* Armed only while live, under mu, so a cancel (which sets err under mu
	 * and then stops the timer) either sees it armed or keeps it unarmed.
	 * addtimer under a lock f takes: it never waits for f. */
	lock(&c->mu);
	if (c->err == 0)
		addtimer(&c->timer);
	unlock(&c->mu);
	return c;
}

goro_ctx *goro_ctx_with_timeout(goro_ctx *parent, int64_t ns)
{
	if (!ctx_ok(parent, "goro_ctx_with_timeout", NIL_PARENT))
		return NULL;
	return goro_ctx_with_deadline(parent, when_after(ns));
}

goro_ctx *goro_ctx_with_value(goro_ctx *parent, const void *key, void *value)
{
	if (!ctx_ok(parent, "goro_ctx_with_value", NIL_PARENT))
		return NULL;
	struct goro_ctx *c = ctx_new(parent, CTX_VALUE);
	if (c == NULL)
		return NULL;
	c->key = key;
	c->val = value;
	return c;
}

/* valueCtx.Value, walking up as Go's value() loop does. */
void *goro_ctx_value(goro_ctx *c, const void *key)
{
	if (!ctx_ok(c, "goro_ctx_value", INVAL_WHAT))
		return NULL;
	for (; c != NULL && c->kind != CTX_BACKGROUND; c = c->parent)
		if (c->kind == CTX_VALUE && c->key == key)
			return c->val;
	return NULL;
}

void goro_ctx_cancel(goro_ctx *c)
{
	if (ctx_ok(c, "goro_ctx_cancel", INVAL_WHAT) && c->kind == CTX_CANCEL)
		ctx_cancel(c, true, GORO_CANCELED);
}

goro_chan *goro_ctx_done(goro_ctx *c)
{
	if (!ctx_ok(c, "goro_ctx_done", INVAL_WHAT) || c->cctx == NULL)
		return NULL;
	return c->cctx->done;
}

int goro_ctx_err(goro_ctx *c)
{
	if (!ctx_ok(c, "goro_ctx_err", INVAL_WHAT))
		return GORO_INVAL;
	if (c->cctx == NULL)
		return GORO_OK;
	return a_load_acq(&c->cctx->err);   /* acquire: pairs with cancel_one's release */
}

int64_t goro_ctx_deadline(goro_ctx *c)
{
	return ctx_ok(c, "goro_ctx_deadline", INVAL_WHAT) ? c->deadline : 0;
}

void goro_ctx_free(goro_ctx *c)
{
	if (!ctx_valid(c) || c->kind == CTX_BACKGROUND)
		return;
	/* the CAS elects one free per handle; the unref orders the rest */
	if (!a_cas(&c->handle, 1, 0))
		return;   /* freed twice: ignored rather than a reference lost */
	if (c->kind == CTX_CANCEL) {
		ctx_cancel(c, true, GORO_CANCELED);
		if (c->has_timer)
			timerwait(&c->timer);   /* its f reads c: wait it out before the last unref */
	}
	ctx_unref(c);
}
