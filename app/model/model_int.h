/* model: private parts shared by model.c and tree.c. */
#ifndef KIOSK_MODEL_INT_H
#define KIOSK_MODEL_INT_H

#include "kiosk/model.h"

/* Material Icons code points, as UTF-8. */
#define ICON_HOME "\xee\xa2\x8a"          /* e88a home */
#define ICON_BACK "\xee\x97\x84"          /* e5c4 arrow_back */
#define ICON_GUIDE "\xee\xa8\x99"         /* ea19 menu_book */
#define ICON_FILMS "\xee\x80\xac"         /* e02c movie */
#define ICON_SURVEY "\xee\x95\xa0"        /* e560 rate_review */
#define ICON_TEXT_SIZE "\xee\xab\xa2"     /* eae2 text_increase */
#define ICON_CONTRAST "\xee\x90\xa7"      /* e427 tonality (half-filled circle) */
#define ICON_CHECK "\xee\x97\x8a"         /* e5ca check */
#define ICON_NEXT "\xee\x97\x8c"          /* e5cc chevron_right */
#define ICON_SOON "\xee\xa8\xbc"          /* ea3c construction */
#define ICON_WARNING "\xee\x80\x82"       /* e002 warning */
#define ICON_HOURGLASS "\xee\xa2\x8b"     /* e88b hourglass_empty */
#define ICON_RADIO_ON "\xee\xa0\xb7"       /* e837 radio_button_checked */
#define ICON_RADIO_OFF "\xee\xa0\xb6"      /* e836 radio_button_unchecked */
#define ICON_BOX_ON "\xee\xa0\xb4"         /* e834 check_box */
#define ICON_BOX_OFF "\xee\xa0\xb5"        /* e835 check_box_outline_blank */
#define ICON_BACKSPACE "\xee\x85\x8a"      /* e14a backspace */
#define ICON_SHIFT "\xee\x97\x98"          /* e5d8 arrow_upward */
#define ICON_SPACE "\xee\x89\x96"          /* e256 space_bar */
#define ICON_SEND "\xee\x85\xa3"           /* e163 send */
#define ICON_FORWARD "\xee\x97\x88"        /* e5c8 arrow_forward */
#define ICON_THANKS "\xee\xa3\x9c"         /* e8dc thumb_up */
#define ICON_ERROR "\xee\x80\x81"          /* e001 error_outline */

/* The five faces of a scale, worst first. */
extern const char *const model_scale_faces[5];

struct content;
struct survey;
struct store_response;

/* ---- survey.c: one resident's answers, until submit or reset ---- */
struct survey_session;

enum session_action {
	SESSION_IGNORED,  /* the id was not the survey's */
	SESSION_CHANGED,  /* an answer or the question on screen changed */
	SESSION_SUBMIT,   /* submit was tapped with every required answer given */
	SESSION_LEAVE,    /* back on the first question: leave the survey */
};

struct survey_session *session_new(const struct survey *def);
void session_free(struct survey_session *s);
enum session_action session_activate(struct survey_session *s, const char *id);
/* Back: the previous question, or SESSION_LEAVE on the first. */
enum session_action session_back(struct survey_session *s);
/* Typed text (a script's "text", a hardware keyboard) for a text question. */
bool session_type(struct survey_session *s, const char *utf8);
/* Adds the nodes of the question on screen. */
void session_build(struct survey_session *s, struct model_tree *t, const struct content *c,
		   const char *lang);
/* The answers as the store takes them; borrowed from the session until the
 * next call.  *n is the number of answers (unanswered questions give none). */
const struct store_answer *session_answers(struct survey_session *s, size_t *n);
/* The last submit could not be stored: say so, keep every answer. */
void session_set_failed(struct survey_session *s, bool failed);

/* Appends a node to the tree and returns it (label copied). */
struct model_node *tree_add(struct model_tree *t, const char *id, enum model_role role,
			    enum model_slot slot, const char *label);
/* Empties the tree, keeping its storage. */
void tree_clear(struct model_tree *t);
void tree_release(struct model_tree *t);

#endif
