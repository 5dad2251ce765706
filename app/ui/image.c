/* Pictures (film stills, page images): read with SDL_image once, kept as
 * textures for the life of the UI.  The set is small (one still a film).
 *
 * Bounded by design: a picture is read through the capped reader, only as
 * a PNG or JPEG whose header says it has at most IMAGE_MAX_PIXELS (a small
 * file can decode to gigabytes), and is kept no wider than it is shown. */
#include "ui_int.h"

#include <SDL_image.h>
#include <stdlib.h>
#include <string.h>

#define LOG_MODULE "image"

#define IMAGE_MAX_BYTES (16 * 1024 * 1024) /* a picture file, at most */
#define IMAGE_MAX_PIXELS (1920 * 1080)      /* what its header may promise, at most */


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

static unsigned be16(const unsigned char *p) { return (unsigned)p[0] << 8 | p[1]; }

static unsigned long be32(const unsigned char *p)
{
	return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 | (unsigned long)p[2] << 8 |
	       p[3];
}

/* The size a PNG or JPEG says it has, read from its header before any
 * decoding; false when the bytes are neither (or the header is cut). */
static bool header_size(const unsigned char *d, size_t n, unsigned long *w, unsigned long *h)
{
	if (n >= 24 && memcmp(d, "\x89PNG\r\n\x1a\n", 8) == 0 && memcmp(d + 12, "IHDR", 4) == 0) {
		*w = be32(d + 16), *h = be32(d + 20);
		return true;
	}
	if (n < 4 || d[0] != 0xFF || d[1] != 0xD8)
		return false;
	/* JPEG: walk the segments to the frame header (SOF0 … SOF15). */
	for (size_t i = 2; i + 9 < n;) {
		if (d[i] != 0xFF)
			return false;
		unsigned marker = d[i + 1];
		if (marker == 0xFF) {
			i++;
			continue;
		}
		if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 &&
		    marker != 0xCC) {
			*h = be16(d + i + 5), *w = be16(d + i + 7);
			return true;
		}
		i += 2 + be16(d + i + 2);
	}
	return false;
}

/* The picture at path as a surface no wider than keep_w, or NULL with the
 * reason logged. */
static SDL_Surface *load_bounded(const char *path, int keep_w)
{
	int ok = file_check_regular_inside(path);
	char *bytes = NULL;
	size_t n = 0;
	if (ok == 0)
		ok = file_read_capped(path, IMAGE_MAX_BYTES, &bytes, &n);
	if (ok) {
		LOG_WARN("%s: cannot use the picture: %s", path, file_read_strerror(ok));
		return NULL;
	}
	unsigned long w = 0, h = 0;
	SDL_Surface *s = NULL;
	if (!header_size((const unsigned char *)bytes, n, &w, &h))
		LOG_WARN("%s: not a PNG or JPEG picture", path);
	else if (!w || !h || w > IMAGE_MAX_PIXELS / h)
		LOG_WARN("%s: the picture says it is %lux%lu pixels; at most %d pixels are read",
			 path, w, h, IMAGE_MAX_PIXELS);
	else if (!(s = IMG_Load_RW(SDL_RWFromConstMem(bytes, (int)n), 1)))
		LOG_WARN("%s: cannot read the picture: %s", path, IMG_GetError());
	free(bytes);
	if (s && s->w > keep_w) {
		SDL_Surface *small = SDL_CreateRGBSurfaceWithFormat(
			0, keep_w, (int)((long)s->h * keep_w / s->w), 32, SDL_PIXELFORMAT_ARGB8888);
		if (small && SDL_BlitScaled(s, NULL, small, NULL) == 0) {
			SDL_FreeSurface(s);
			s = small;
		} else if (small) {
			SDL_FreeSurface(small);
		}
	}
	return s;
}

SDL_Texture *images_get(struct images *im, const char *path, int keep_w, int *w, int *h)
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
	SDL_Surface *s = load_bounded(path, keep_w);
	if (s) {
		e->tex = SDL_CreateTextureFromSurface(im->ren, s);
		e->w = s->w, e->h = s->h;
		SDL_FreeSurface(s);
	}
	*w = e->w, *h = e->h;
	return e->tex;
}
