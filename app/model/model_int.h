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

/* Appends a node to the tree and returns it (label copied). */
struct model_node *tree_add(struct model_tree *t, const char *id, enum model_role role,
			    enum model_slot slot, const char *label);
/* Empties the tree, keeping its storage. */
void tree_clear(struct model_tree *t);
void tree_release(struct model_tree *t);

#endif
