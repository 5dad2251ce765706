/* export: what export.c and summary.c share inside the module. */
#ifndef KIOSK_EXPORT_INT_H
#define KIOSK_EXPORT_INT_H

#include <stdbool.h>

#include "kiosk/export.h"

struct store_answer_row;

/* True when the row's response passes opt's filters (since, until,
 * survey); every row of a response gives the same answer. */
bool export_row_selected(const struct export_options *opt, const struct store_answer_row *r);

#endif
