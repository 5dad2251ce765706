/* shotcmp: compares a screenshot with its reference, with a tolerance.
 *
 *   shotcmp REFERENCE ACTUAL ERR_OUT
 *
 * Exit 0 when at most 0.1 % of the pixels differ by more than 24 in any
 * channel (anti-aliasing noise), 1 when they differ (ERR_OUT then shows the
 * differing pixels in red over a faded copy of ACTUAL), 2 on bad input.
 * The same idea as SDL's SDL_test_compare.c and LVGL's screenshot tests. */
#include <SDL.h>
#include <SDL_image.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHANNEL_TOLERANCE 24
#define PIXEL_SHARE_TOLERANCE 0.001

static SDL_Surface *load(const char *path)
{
	SDL_Surface *raw = IMG_Load(path);
	if (!raw) {
		fprintf(stderr, "shotcmp: %s: %s\n", path, IMG_GetError());
		return NULL;
	}
	SDL_Surface *s = SDL_ConvertSurfaceFormat(raw, SDL_PIXELFORMAT_ARGB8888, 0);
	SDL_FreeSurface(raw);
	return s;
}

static int compare(SDL_Surface *ref, SDL_Surface *act, const char *ref_path,
		   const char *act_path, const char *err_path);

/* shotcmp --busy PNG X Y W H: exit 0 when the rectangle is not one flat
 * colour (a film's frame really arrived), 1 when it is. */
static int busy(const char *path, int x, int y, int w, int h)
{
	SDL_Surface *s = load(path);
	if (!s)
		return 2;
	long colours = 0;
	Uint32 first = 0;
	for (int j = y; j < y + h && j < s->h; j++)
		for (int i = x; i < x + w && i < s->w; i++) {
			Uint32 p = ((Uint32 *)((Uint8 *)s->pixels + j * s->pitch))[i] & 0xFFFFFF;
			if (i == x && j == y)
				first = p;
			else if (p != first)
				colours++;
		}
	SDL_FreeSurface(s);
	printf("%ld pixels differ from the first\n", colours);
	return colours > (long)w * h / 100 ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc == 7 && strcmp(argv[1], "--busy") == 0)
		return busy(argv[2], atoi(argv[3]), atoi(argv[4]), atoi(argv[5]), atoi(argv[6]));
	if (argc != 4) {
		fputs("usage: shotcmp REFERENCE ACTUAL ERR_OUT\n", stderr);
		return 2;
	}
	SDL_Surface *ref = load(argv[1]), *act = load(argv[2]);
	int rc = compare(ref, act, argv[1], argv[2], argv[3]);
	SDL_FreeSurface(ref);
	SDL_FreeSurface(act);
	return rc;
}

static int compare(SDL_Surface *ref, SDL_Surface *act, const char *ref_path,
		   const char *act_path, const char *err_path)
{
	if (!ref || !act)
		return 2;
	if (ref->w != act->w || ref->h != act->h) {
		fprintf(stderr, "shotcmp: %s is %dx%d, %s is %dx%d\n", ref_path, ref->w, ref->h,
			act_path, act->w, act->h);
		IMG_SavePNG(act, err_path);
		return 1;
	}
	long differ = 0, total = (long)ref->w * ref->h;
	for (int y = 0; y < ref->h; y++) {
		Uint32 *a = (Uint32 *)((Uint8 *)ref->pixels + y * ref->pitch);
		Uint32 *b = (Uint32 *)((Uint8 *)act->pixels + y * act->pitch);
		for (int x = 0; x < ref->w; x++) {
			int worst = 0;
			for (int sh = 0; sh < 24; sh += 8) {
				int d = abs((int)((a[x] >> sh) & 0xFF) - (int)((b[x] >> sh) & 0xFF));
				worst = d > worst ? d : worst;
			}
			if (worst > CHANNEL_TOLERANCE) {
				differ++;
				b[x] = 0xFFFF0000;
			} else {
				/* Fade what matches, so the red stands out. */
				Uint32 p = b[x];
				Uint32 r = (((p >> 16) & 0xFF) + 255 * 3) / 4, g = (((p >> 8) & 0xFF) + 255 * 3) / 4,
				       bl = ((p & 0xFF) + 255 * 3) / 4;
				b[x] = 0xFF000000 | r << 16 | g << 8 | bl;
			}
		}
	}
	double share = (double)differ / (double)total;
	if (share > PIXEL_SHARE_TOLERANCE) {
		fprintf(stderr, "shotcmp: %s differs from %s in %ld pixels (%.3f %%); see %s\n",
			act_path, ref_path, differ, share * 100, err_path);
		IMG_SavePNG(act, err_path);
		return 1;
	}
	return 0;
}
