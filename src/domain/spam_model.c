/* The spam model (see spam_model.h): features, counts, scores, evaluation. */
#include "domain/spam_model.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define ALPHA 1.0 /* Laplace smoothing per value */

static const char *const group_names[SPAM_NGROUPS] = {"pfx", "nbr", "line", "name", "contact", "dur", "tod", "hours", "rpt"};
static const char *const vocab[SPAM_NGROUPS][SPAM_MAX_VALUES + 1] = {
	[SG_PFX] = {"normal", "tollfree", "premium", "intl", "invalid", "withheld", NULL},
	[SG_NBR] = {"same_nxx", "same_npa", "other", NULL},
	[SG_LINE] = {"mobile", "landline", "voip", "unknown", NULL},
	[SG_NAME] = {"empty", "spam_label", "id_code", "digits", "generic", "person", "other", NULL},
	[SG_CONTACT] = {"yes", "no", NULL},
	[SG_DUR] = {"zero", "short", "medium", "long", NULL},
	[SG_TOD] = {"night", "day", "evening", NULL},
	[SG_HOURS] = {"open", "closed", NULL},
	[SG_RPT] = {"none", "some", "many", NULL},
};
enum { PFX_NORMAL, PFX_TOLLFREE, PFX_PREMIUM, PFX_INTL, PFX_INVALID, PFX_WITHHELD };
enum { NBR_SAME_NXX, NBR_SAME_NPA, NBR_OTHER };
enum { NAME_EMPTY, NAME_SPAM, NAME_ID, NAME_DIGITS, NAME_GENERIC, NAME_PERSON, NAME_OTHER };
static const char *const class_names[SPAM_NCLASSES] = {"ham", "spam", "robocall", "telemarketer", "repeat_silent"};

/* Prior pseudo-counts: what a workspace believes before its own labels. Class
 * priors are as if 18 ham and 2 spam calls had been seen (10% spam); the
 * feature rows add evidence as if seen in that many examples of the class. */
static const double class_prior[SPAM_NCLASSES] = {18, 2, 1, 1, 1};
struct prior {
	int g, v;
	double pc[SPAM_NCLASSES];
};
static const struct prior priors[] = {
	{SG_NAME, NAME_SPAM, {0, 4, 1, 1, 0}},
	{SG_NAME, NAME_PERSON, {4, 0, 0, 0, 0}},
	{SG_PFX, PFX_INVALID, {0, 2, 1, 0, 0}},
	{SG_PFX, PFX_PREMIUM, {0, 2, 0, 1, 0}},
	{SG_PFX, PFX_WITHHELD, {0, 1, 1, 0, 0}},
	{SG_PFX, PFX_TOLLFREE, {0, 1, 0, 1, 0}},
	{SG_NBR, NBR_SAME_NXX, {0, 1, 1, 0, 0}},
	{SG_RPT, 2, {0, 2, 0, 0, 2}},
	{SG_CONTACT, 0, {4, 0, 0, 0, 0}},
	{SG_DUR, 3, {3, 0, 0, 0, 0}},
};
#define NPRIORS ((int)(sizeof priors / sizeof priors[0]))

const char *spam_group_name(int g)
{
	return g >= 0 && g < SPAM_NGROUPS ? group_names[g] : NULL;
}

int spam_group_values(int g)
{
	int n = 0;
	while (g >= 0 && g < SPAM_NGROUPS && vocab[g][n])
		n++;
	return n;
}

const char *spam_value_name(int g, int v)
{
	return v >= 0 && v < spam_group_values(g) ? vocab[g][v] : NULL;
}

const char *spam_class_name(int cls)
{
	return cls >= 0 && cls < SPAM_NCLASSES ? class_names[cls] : NULL;
}

int spam_reason_class(const char *reason)
{
	for (int c = SC_ROBOCALL; reason && c < SPAM_NCLASSES; c++)
		if (!strcmp(reason, class_names[c]))
			return c;
	return -1;
}

/* ---- features ---- */

static bool has_word(const char *upper, const char *word)
{
	return strstr(upper, word) != NULL;
}

int spam_name_class(const char *name)
{
	static const char *const spam_words[] = {"SPAM", "SCAM", "FRAUD", "ROBO", "TELEMARKET", "POTENTIAL", NULL};
	static const char *const generic[] = {"WIRELESS CALLER", "UNKNOWN", "UNAVAILABLE", "ANONYMOUS", "PRIVATE",
					      "RESTRICTED", "TOLL FREE", "TOLLFREE", "OUT OF AREA", "CELL PHONE", NULL};
	if (!name)
		return -1;
	char up[64];
	size_t n = 0;
	int letters = 0, digits = 0, spaces = 0, other = 0;
	for (const char *s = name; *s && n + 1 < sizeof up; s++) {
		unsigned char ch = (unsigned char)*s;
		if (n == 0 && isspace(ch))
			continue;
		up[n++] = (char)toupper(ch);
		letters += isalpha(ch) != 0;
		digits += isdigit(ch) != 0;
		spaces += ch == ' ';
		other += !isalnum(ch) && ch != ' ' && ch != ',' && ch != '.' && ch != '\'' && ch != '-';
	}
	while (n && up[n - 1] == ' ')
		n--, spaces--;
	up[n] = 0;
	if (n == 0)
		return NAME_EMPTY;
	for (int i = 0; spam_words[i]; i++)
		if (has_word(up, spam_words[i]))
			return NAME_SPAM;
	for (int i = 0; generic[i]; i++)
		if (has_word(up, generic[i]))
			return NAME_GENERIC;
	if (letters == 0 && digits > 0)
		return NAME_DIGITS;
	/* "V12345678", "L5551234": a letter or two then only digits, as some carriers send. */
	if (letters <= 2 && digits >= 4 && spaces == 0 && isalpha((unsigned char)up[0]))
		return NAME_ID;
	if (digits == 0 && other == 0 && letters >= 3 && spaces >= 1 && spaces <= 3)
		return NAME_PERSON;
	return NAME_OTHER;
}

static int digit_at(const char *s, int i)
{
	return s[i] >= '0' && s[i] <= '9' ? s[i] - '0' : -1;
}

static bool nanp(const char *e164)
{
	if (!e164 || strncmp(e164, "+1", 2) != 0 || strlen(e164) != 12)
		return false;
	for (int i = 2; i < 12; i++)
		if (digit_at(e164, i) < 0)
			return false;
	return true;
}

static bool plain_e164(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n < 9 || n > 16 || s[0] != '+' || s[1] == '0')
		return false;
	for (size_t i = 1; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static int prefix_class(const struct spam_facts *f)
{
	if (!plain_e164(f->from_e164))
		return PFX_WITHHELD;
	if (!f->from_valid)
		return PFX_INVALID;
	if (nanp(f->from_e164)) {
		const char *npa = f->from_e164 + 2;
		if (npa[0] == '8' && npa[1] == npa[2] && strchr("0345678", npa[1]))
			return PFX_TOLLFREE; /* 800 833 844 855 866 877 888 */
		if (!strncmp(npa, "900", 3) || !strncmp(npa + 3, "976", 3))
			return PFX_PREMIUM;
	}
	if (f->to_e164 && f->to_e164[0] == '+') {
		bool same = nanp(f->from_e164) == nanp(f->to_e164) &&
			    (nanp(f->to_e164) || !strncmp(f->from_e164, f->to_e164, 3));
		if (!same)
			return PFX_INTL;
	}
	return PFX_NORMAL;
}

static int word_of(int g, const char *s)
{
	for (int v = 0; s && vocab[g][v]; v++)
		if (!strcmp(vocab[g][v], s))
			return v;
	return -1;
}

void spam_features_from(const struct spam_facts *f, struct spam_features *out)
{
	memset(out->v, -1, sizeof out->v);
	out->v[SG_PFX] = (signed char)prefix_class(f);
	if (nanp(f->from_e164) && nanp(f->to_e164))
		out->v[SG_NBR] = !strncmp(f->from_e164, f->to_e164, 8)   ? NBR_SAME_NXX
				 : !strncmp(f->from_e164, f->to_e164, 5) ? NBR_SAME_NPA
									 : NBR_OTHER;
	int line = word_of(SG_LINE, f->line_type);
	out->v[SG_LINE] = (signed char)(line >= 0 ? line : 3);
	out->v[SG_NAME] = (signed char)spam_name_class(f->caller_name);
	out->v[SG_CONTACT] = f->has_contact ? 0 : 1;
	if (f->ended) {
		int64_t d = f->duration_sec < 0 ? 0 : f->duration_sec;
		out->v[SG_DUR] = (signed char)(d == 0 ? 0 : d < 10 ? 1 : d < 60 ? 2 : 3);
	}
	if (f->local_hour >= 0 && f->local_hour < 24)
		out->v[SG_TOD] = (signed char)(f->local_hour < 7 || f->local_hour >= 21 ? 0 : f->local_hour < 17 ? 1 : 2);
	if (f->after_hours >= 0)
		out->v[SG_HOURS] = (signed char)(f->after_hours ? 1 : 0);
	if (f->recent_silent >= 0)
		out->v[SG_RPT] = (signed char)(f->recent_silent == 0 ? 0 : f->recent_silent < 3 ? 1 : 2);
}

void spam_features_format(const struct spam_features *f, char *out, size_t n)
{
	size_t len = 0;
	if (n)
		out[0] = 0;
	for (int g = 0; g < SPAM_NGROUPS; g++) {
		const char *v = spam_value_name(g, f->v[g]);
		if (!v || len >= n)
			continue;
		int w = snprintf(out + len, n - len, "%s%s=%s", len ? " " : "", group_names[g], v);
		if (w < 0 || (size_t)w >= n - len) {
			out[len] = 0; /* never a cut token */
			return;
		}
		len += (size_t)w;
	}
}

void spam_features_parse(const char *s, struct spam_features *out)
{
	memset(out->v, -1, sizeof out->v);
	while (s && *s) {
		while (*s == ' ')
			s++;
		const char *end = strchr(s, ' ');
		size_t len = end ? (size_t)(end - s) : strlen(s);
		const char *eq = memchr(s, '=', len);
		for (int g = 0; eq && g < SPAM_NGROUPS; g++) {
			size_t gl = strlen(group_names[g]);
			if ((size_t)(eq - s) != gl || strncmp(s, group_names[g], gl) != 0)
				continue;
			size_t vl = len - gl - 1;
			for (int v = 0; vocab[g][v]; v++)
				if (strlen(vocab[g][v]) == vl && !strncmp(eq + 1, vocab[g][v], vl))
					out->v[g] = (signed char)v;
		}
		s += len;
	}
}

/* ---- counts ---- */

void spam_model_init(struct spam_model *m)
{
	memset(m, 0, sizeof *m);
}

static void bump(int64_t *x, int sign)
{
	*x += sign;
	if (*x < 0)
		*x = 0;
}

static void count_class(struct spam_model *m, const struct spam_features *f, int cls, int sign)
{
	bump(&m->total[cls], sign);
	for (int g = 0; g < SPAM_NGROUPS; g++) {
		int v = f->v[g];
		if (v < 0 || v >= spam_group_values(g))
			continue;
		bump(&m->known[g][cls], sign);
		bump(&m->n[g][v][cls], sign);
	}
}

void spam_model_count(struct spam_model *m, const struct spam_features *f, bool is_spam, int reason_cls, int sign)
{
	count_class(m, f, is_spam ? SC_SPAM : SC_HAM, sign);
	if (is_spam && reason_cls >= SC_ROBOCALL && reason_cls < SPAM_NCLASSES)
		count_class(m, f, reason_cls, sign);
}

/* ---- scores ---- */

static double prior_pc(int g, int v, int cls)
{
	double s = 0;
	for (int i = 0; i < NPRIORS; i++)
		if (priors[i].g == g && (v < 0 || priors[i].v == v))
			s += priors[i].pc[cls];
	return s;
}

/* log P(x_g = v | cls), smoothed. */
static double log_lik(const struct spam_model *m, int g, int v, int cls)
{
	double num = (double)m->n[g][v][cls] + ALPHA + prior_pc(g, v, cls);
	double den = (double)m->known[g][cls] + ALPHA * spam_group_values(g) + prior_pc(g, -1, cls);
	return log(num / den);
}

static double log_prior(const struct spam_model *m, int cls, int first, int last)
{
	double all = 0;
	for (int c = first; c <= last; c++)
		all += (double)m->total[c] + class_prior[c];
	return log(((double)m->total[cls] + class_prior[cls]) / all);
}

static bool usable(const struct spam_features *f, int g)
{
	return f->v[g] >= 0 && f->v[g] < spam_group_values(g);
}

void spam_model_weights(const struct spam_model *m, const struct spam_features *f, double out[SPAM_NGROUPS])
{
	for (int g = 0; g < SPAM_NGROUPS; g++)
		out[g] = usable(f, g) ? log_lik(m, g, f->v[g], SC_SPAM) - log_lik(m, g, f->v[g], SC_HAM) : 0;
}

void spam_model_score(const struct spam_model *m, const struct spam_features *f, struct spam_score *out)
{
	double w[SPAM_NGROUPS];
	double lo = log_prior(m, SC_SPAM, SC_HAM, SC_SPAM) - log_prior(m, SC_HAM, SC_HAM, SC_SPAM);
	spam_model_weights(m, f, w);
	for (int g = 0; g < SPAM_NGROUPS; g++)
		lo += w[g];
	out->p_spam = lo > 40 ? 1.0 : lo < -40 ? 0.0 : 1.0 / (1.0 + exp(-lo));
	out->score = (int)lround(out->p_spam * 100.0);
	/* The reason: naive Bayes among the three reasons (log-sum-exp normalised). */
	double lp[SPAM_NCLASSES], best = -INFINITY, sum = 0;
	int arg = SC_ROBOCALL;
	for (int c = SC_ROBOCALL; c < SPAM_NCLASSES; c++) {
		lp[c] = log_prior(m, c, SC_ROBOCALL, SPAM_NCLASSES - 1);
		for (int g = 0; g < SPAM_NGROUPS; g++)
			if (usable(f, g))
				lp[c] += log_lik(m, g, f->v[g], c);
		if (lp[c] > best)
			best = lp[c], arg = c;
	}
	for (int c = SC_ROBOCALL; c < SPAM_NCLASSES; c++)
		sum += exp(lp[c] - best);
	out->reason_p = 1.0 / sum;
	out->reason = out->score >= SPAM_FLAG_SCORE && out->reason_p >= SPAM_REASON_CONFIDENCE ? class_names[arg] : NULL;
}

/* ---- evaluation ---- */

void spam_model_evaluate(const struct spam_model *full, const struct spam_example *ex, int n, int folds,
			 int threshold, struct spam_eval *out)
{
	memset(out, 0, sizeof *out);
	out->examples = n;
	out->folds = folds < 2 ? 2 : folds;
	struct spam_model m;
	for (int k = 0; k < out->folds; k++) {
		m = *full;
		for (int i = 0; i < n; i++)
			if ((int)(ex[i].fold_key % (uint32_t)out->folds) == k)
				spam_model_count(&m, &ex[i].f, ex[i].is_spam, ex[i].reason_cls, -1);
		for (int i = 0; i < n; i++) {
			if ((int)(ex[i].fold_key % (uint32_t)out->folds) != k)
				continue;
			struct spam_score s;
			spam_model_score(&m, &ex[i].f, &s);
			bool pred = s.score >= threshold;
			out->tp += pred && ex[i].is_spam;
			out->fp += pred && !ex[i].is_spam;
			out->fn += !pred && ex[i].is_spam;
			out->tn += !pred && !ex[i].is_spam;
		}
	}
	out->precision = out->tp + out->fp ? (double)out->tp / (double)(out->tp + out->fp) : -1;
	out->recall = out->tp + out->fn ? (double)out->tp / (double)(out->tp + out->fn) : -1;
	out->f1 = out->precision > 0 && out->recall > 0
			  ? 2 * out->precision * out->recall / (out->precision + out->recall)
			  : (out->precision < 0 || out->recall < 0 ? -1 : 0);
}
