/* kiosk.conf: config_load() on a file holding the input. */
#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *path = fuzz_write("kiosk.conf", data, size);
	struct config c = {0}; /* config_load() fills in the defaults itself */
	struct config_error err;
	config_load(&c, path, &err);
	config_free(&c);
	free(path);
	return 0;
}
