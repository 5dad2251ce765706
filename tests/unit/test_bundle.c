/* Unit tests for bundle: keys, a signed bundle made and verified, and the
 * signer that is not trusted.  Links kiosk_bundle only (the layer check);
 * the tampered bundles are in tests/cli/test_bundle.py. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "kiosk/bundle.h"
#include "kiosk/core.h"
#include "test_util.h"

static void test_keys_sign_and_verify(void **state)
{
	char *tmp = test_mkdtemp("bundle");
	char *prefix = path_join(tmp, "staff"), *keys = path_join(tmp, "keys");
	char *key = xasprintf("%s.key", prefix), *pub = xasprintf("%s.pub", prefix);
	char *trusted = path_join(keys, "staff.pub"), *out = path_join(tmp, "demo.kiosk");
	char *media = path_join(KIOSK_SOURCE_DIR, "media");
	struct bundle_error err = {{0}};

	assert_int_equal(bundle_keygen(prefix, &err), BUNDLE_OK);
	struct stat st;
	assert_int_equal(stat(key, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(bundle_keygen(prefix, &err), BUNDLE_ERR_IO); /* never overwritten */

	assert_int_equal(bundle_create(key, KIOSK_SEED_DIR, media, 42, out, &err), BUNDLE_OK);
	struct bundle_info info;
	/* Nobody trusts it yet. */
	assert_int_equal(path_mkdirs(keys, 0755), 0);
	assert_int_equal(bundle_verify(out, keys, &info, &err), BUNDLE_ERR_SIGNER);
	assert_non_null(strstr(err.message, "not among the trusted keys"));
	/* Its public key trusted: verified, and it says what it is. */
	char *text = test_slurp(pub, NULL);
	free(test_write(keys, "staff.pub", text, 0));
	free(text);
	assert_int_equal(bundle_verify(out, keys, &info, &err), BUNDLE_OK);
	assert_int_equal(info.version, 42);
	assert_string_equal(info.signer, "staff");
	assert_int_equal(strlen(info.key_id), 16);
	assert_true(info.n_files > 20);
	assert_true(info.total_bytes > 1000000); /* the films travel with it */
	/* Not a bundle at all. */
	assert_int_equal(bundle_verify(pub, keys, &info, &err), BUNDLE_ERR_FORMAT);
	for (int e = BUNDLE_OK; e <= BUNDLE_ERR_MEMBER; e++)
		assert_string_not_equal(bundle_strerror((enum bundle_err)e), "unknown error");

	free(media);
	free(out);
	free(trusted);
	free(pub);
	free(key);
	free(keys);
	free(prefix);
	test_rmtree(tmp);
}

int main(void)
{
	log_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys_sign_and_verify),
	};
	return cmocka_run_group_tests_name("bundle", tests, NULL, NULL);
}
