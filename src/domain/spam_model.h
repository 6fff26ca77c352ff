/* The spam model: a categorical naive Bayes classifier over a caller's
 * features, pure (no SQL, no HTTP): the domain (spam.c) gathers the facts of a
 * call, this module turns them into features, counts labelled examples and
 * scores calls; store/spam.c persists the counts.
 *
 * Features: each of SPAM_NGROUPS groups takes one value from a fixed
 * vocabulary, or is unknown (-1) and then plays no part:
 *   pfx     the caller's number: normal, tollfree (+1 8XX), premium (+1 900),
 *           intl (another country than the tracking number), invalid (E.164
 *           that libphonenumber rejects), withheld (not a number at all)
 *   nbr     neighbour spoofing: same NPA-NXX as the tracking number, same NPA,
 *           or other (NANP numbers only)
 *   line    mobile, landline, voip, unknown (carrier lookup)
 *   name    the caller name (CNAM), when the carrier sent one: empty,
 *           spam_label ("SPAM LIKELY", "SCAM"...), id_code ("V12345"),
 *           digits, generic ("WIRELESS CALLER", "TOLL FREE"...), person, other
 *   contact whether the number belongs to a contact
 *   dur     talk time once the call has ended: zero, short (<10 s),
 *           medium (<60 s), long
 *   tod     local time of day: night (21-7), day (7-17), evening (17-21)
 *   hours   whether the business was open (after_hours flag)
 *   rpt     repeat-silent behaviour: the number's short or silent calls
 *           (<10 s talk) in the 7 days before: none, some (1-2), many (3+)
 *
 * Classes: ham and spam, plus the three spam reasons (robocall, telemarketer,
 * repeat_silent) counted for spam examples that carry one.
 *
 * Scoring: P(spam | x) ∝ P(spam) Π_g P(x_g | spam) over the known groups,
 * with Laplace smoothing (alpha = 1 per value) on top of a small table of
 * prior pseudo-counts (spam is rare; a carrier's spam label, invalid or
 * premium numbers and repeated silent calls lean to spam; known contacts and
 * long talks lean to ham), so an untrained workspace scores sensibly and
 * a value never seen in training keeps a non-zero probability. The spam
 * reason is a second naive Bayes over the three reasons, named only when
 * the call is flagged and the reason's posterior reaches 0.6. */
#ifndef SB_DOMAIN_SPAM_MODEL_H
#define SB_DOMAIN_SPAM_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum spam_group { SG_PFX, SG_NBR, SG_LINE, SG_NAME, SG_CONTACT, SG_DUR, SG_TOD, SG_HOURS, SG_RPT, SPAM_NGROUPS };
enum spam_class { SC_HAM, SC_SPAM, SC_ROBOCALL, SC_TELEMARKETER, SC_REPEAT_SILENT, SPAM_NCLASSES };

#define SPAM_MAX_VALUES 8
#define SPAM_FLAG_SCORE 80        /* a new call scoring this much (0-100) is flagged spam */
#define SPAM_REASON_CONFIDENCE 0.6
#define SPAM_FEATURES_TEXT 256    /* room for the text form of a feature set */

/* What the domain knows about a call. Strings may be NULL (unknown). */
struct spam_facts {
	const char *from_e164;     /* as stored: E.164, or what a withheld caller sent */
	const char *to_e164;       /* the tracking number */
	bool from_valid;           /* libphonenumber accepts from_e164 (ignored unless it is E.164) */
	const char *line_type;     /* mobile landline voip unknown, or NULL */
	const char *caller_name;   /* CNAM; NULL when none was sent */
	bool has_contact;
	bool ended;                /* duration_sec is final */
	int64_t duration_sec;
	int local_hour;            /* 0-23 in the workspace zone; -1 unknown */
	int after_hours;           /* 0, 1; -1 unknown */
	int64_t recent_silent;     /* short/silent calls from the number in the 7 days before; -1 unknown */
};

/* One value index per group, -1 when unknown. */
struct spam_features {
	signed char v[SPAM_NGROUPS];
};

/* Counts of a workspace's labelled examples. */
struct spam_model {
	int64_t total[SPAM_NCLASSES];                        /* examples per class */
	int64_t known[SPAM_NGROUPS][SPAM_NCLASSES];          /* ... with the group known */
	int64_t n[SPAM_NGROUPS][SPAM_MAX_VALUES][SPAM_NCLASSES];
};

struct spam_score {
	int score;                 /* 0-100: P(spam) in percent, rounded */
	double p_spam;
	const char *reason;        /* robocall telemarketer repeat_silent, or NULL when not confident */
	double reason_p;           /* posterior of the best reason among spam reasons */
};

/* The group's wire name ("pfx") and value name ("tollfree"); NULL when out of range. */
const char *spam_group_name(int g);
const char *spam_value_name(int g, int v);
int spam_group_values(int g);
const char *spam_class_name(int cls);
/* Index of a reason word (robocall...) as a class, or -1. */
int spam_reason_class(const char *reason);

/* Classifies a caller name (CNAM) into the name group's values; -1 for NULL. */
int spam_name_class(const char *name);
/* Turns facts into features (libphonenumber is not called here: from_valid says). */
void spam_features_from(const struct spam_facts *f, struct spam_features *out);

/* Text form "pfx=normal nbr=other ..." (known groups only) into out (n >= SPAM_FEATURES_TEXT). */
void spam_features_format(const struct spam_features *f, char *out, size_t n);
/* Parses the text form; unknown tokens are skipped (a vocabulary may grow). */
void spam_features_parse(const char *s, struct spam_features *out);

void spam_model_init(struct spam_model *m);
/* Adds (sign +1) or removes (-1) one example: class ham or spam, and its reason
 * class (SC_ROBOCALL...) when reason_cls >= 0. Counts never go below zero. */
void spam_model_count(struct spam_model *m, const struct spam_features *f, bool is_spam, int reason_cls, int sign);
/* Scores features with the model (priors and smoothing included). */
void spam_model_score(const struct spam_model *m, const struct spam_features *f, struct spam_score *out);
/* Per-group log-likelihood ratios log P(x_g|spam)/P(x_g|ham) (0 for unknown groups), for explanations. */
void spam_model_weights(const struct spam_model *m, const struct spam_features *f, double out[SPAM_NGROUPS]);

/* One labelled example for evaluation. */
struct spam_example {
	struct spam_features f;
	bool is_spam;
	int reason_cls;            /* -1 when none */
	uint32_t fold_key;         /* e.g. a hash of the call id: decides the fold */
};

/* Honest held-out measure: k-fold cross-validation of the counts model over
 * the examples (each fold scored by the model minus that fold's examples),
 * a call predicted spam when it scores >= threshold. */
struct spam_eval {
	int examples, folds;
	int64_t tp, fp, fn, tn;
	double precision, recall, f1; /* -1 when undefined (no predicted / no actual spam) */
};
void spam_model_evaluate(const struct spam_model *full, const struct spam_example *ex, int n, int folds,
			 int threshold, struct spam_eval *out);

#endif
