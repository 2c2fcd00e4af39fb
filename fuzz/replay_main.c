/*
 * Replays fuzz inputs through LLVMFuzzerTestOneInput without libFuzzer, so ctest runs every
 * corpus file (and every input that once crashed) under ASan/UBSan. Arguments are files or
 * directories; with none, the directory FUZZ_REPLAY_DEFAULT_DIR (set at compile time).
 * Exits 0 when every input ran (a property failure aborts), 1 when no input was found.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REPLAY_MAX_FILE (1 << 20) /* inputs larger than this are truncated */

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = malloc(REPLAY_MAX_FILE);
	size_t n;

	if (!f || !buf) {
		if (f)
			fclose(f);
		free(buf);
		return 0;
	}
	n = fread(buf, 1, REPLAY_MAX_FILE, f);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	return 1;
}

static int replay(const char *path)
{
	struct stat st;
	struct dirent *de;
	DIR *d;
	int count = 0;
	char sub[4096];

	if (stat(path, &st) != 0)
		return 0;
	if (!S_ISDIR(st.st_mode))
		return replay_file(path);
	if (!(d = opendir(path)))
		return 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
		count += replay(sub);
	}
	closedir(d);
	return count;
}

int main(int argc, char **argv)
{
	int count = 0;

#ifdef FUZZ_REPLAY_DEFAULT_DIR
	if (argc < 2)
		count = replay(FUZZ_REPLAY_DEFAULT_DIR);
#endif
	for (int i = 1; i < argc; i++)
		count += replay(argv[i]);
	printf("replayed %d input(s)\n", count);
	return count > 0 ? 0 : 1;
}
