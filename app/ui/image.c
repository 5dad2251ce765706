/* Pictures (film stills, page images): read with SDL_image once, kept as
 * textures for the life of the UI.  The set is small (one still a film). */
#include "ui_int.h"

#include <SDL_image.h>
#include <stdlib.h>
#include <string.h>

#define LOG_MODULE "image"

struct image {
	char *path;
	SDL_Texture *tex; /* NULL: it could not be read (said once) */
	int w, h;
};

struct images {
	SDL_Renderer *ren;
	struct image *v;
	size_t n;
};

struct images *images_new(SDL_Renderer *ren)
{
	struct images *im = xcalloc(1, sizeof *im);
	im->ren = ren;
	return im;
}

void images_free(struct images *im)
{
	if (!im)
		return;
	for (size_t i = 0; i < im->n; i++) {
		if (im->v[i].tex)
			SDL_DestroyTexture(im->v[i].tex);
		free(im->v[i].path);
	}
	free(im->v);
	free(im);
}

SDL_Texture *images_get(struct images *im, const char *path, int *w, int *h)
{
	for (size_t i = 0; i < im->n; i++)
		if (strcmp(im->v[i].path, path) == 0) {
			*w = im->v[i].w, *h = im->v[i].h;
			return im->v[i].tex;
		}
	im->v = xrealloc(im->v, (im->n + 1) * sizeof *im->v);
	struct image *e = &im->v[im->n++];
	memset(e, 0, sizeof *e);
	e->path = xstrdup(path);
	SDL_Surface *s = IMG_Load(path);
	if (!s) {
		LOG_WARN("%s: cannot read the picture: %s", path, IMG_GetError());
	} else {
		e->tex = SDL_CreateTextureFromSurface(im->ren, s);
		e->w = s->w, e->h = s->h;
		SDL_FreeSurface(s);
	}
	*w = e->w, *h = e->h;
	return e->tex;
}
