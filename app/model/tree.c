/* The logical widget tree: nodes in reading order, owned by the model. */
#include "model_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk/core.h"

struct model_node *tree_add(struct model_tree *t, const char *id, enum model_role role,
			    enum model_slot slot, const char *label)
{
	t->nodes = xrealloc(t->nodes, (t->n_nodes + 1) * sizeof *t->nodes);
	struct model_node *n = &t->nodes[t->n_nodes++];
	memset(n, 0, sizeof *n);
	snprintf(n->id, sizeof n->id, "%s", id);
	n->role = role;
	n->slot = slot;
	n->type = role == MODEL_ROLE_BUTTON || role == MODEL_ROLE_OPTION ? MODEL_TYPE_BUTTON
									 : MODEL_TYPE_BODY;
	n->label = xstrdup(label);
	n->enabled = true;
	return n;
}

void tree_clear(struct model_tree *t)
{
	for (size_t i = 0; i < t->n_nodes; i++) {
		free(t->nodes[i].label);
		free(t->nodes[i].detail);
		free(t->nodes[i].image);
	}
	t->n_nodes = 0;
}

void tree_release(struct model_tree *t)
{
	tree_clear(t);
	free(t->nodes);
	t->nodes = NULL;
}

const char *model_screen_name(enum model_screen screen)
{
	static const char *const names[] = {
		[MODEL_SCREEN_HOME] = "home",
		[MODEL_SCREEN_GUIDE] = "guide",
		[MODEL_SCREEN_PAGE] = "page",
		[MODEL_SCREEN_FILMS] = "films",
		[MODEL_SCREEN_PLAYER] = "player",
		[MODEL_SCREEN_SURVEY] = "survey",
		[MODEL_SCREEN_THANKS] = "thanks",
		[MODEL_SCREEN_IDLE_WARNING] = "idle-warning",
		[MODEL_SCREEN_IMPORT] = "import",
		[MODEL_SCREEN_ADMIN_PIN] = "admin-pin",
		[MODEL_SCREEN_ADMIN] = "admin",
		[MODEL_SCREEN_OUT_OF_SERVICE] = "out-of-service",
	};
	return names[screen];
}

const char *model_role_name(enum model_role role)
{
	static const char *const names[] = {
		[MODEL_ROLE_BUTTON] = "button", [MODEL_ROLE_HEADING] = "heading",
		[MODEL_ROLE_TEXT] = "text",     [MODEL_ROLE_IMAGE] = "image",
		[MODEL_ROLE_VIDEO] = "video",   [MODEL_ROLE_SLIDER] = "slider",
		[MODEL_ROLE_INPUT] = "input",   [MODEL_ROLE_OPTION] = "option",
		[MODEL_ROLE_PROGRESS] = "progress",
	};
	return names[role];
}
