/* Replays fuzz/corpus/x509_parse (seeds and inputs that once failed) through the fuzz target
 * compiled without libFuzzer, under the test build's ASan/UBSan (STYLE.md §13). */
#define FUZZ_REPLAY_DEFAULT_DIR CK_SOURCE_DIR "/fuzz/corpus/x509_parse"
#include "../../../fuzz/fuzz_x509_parse.c"
#include "../../../fuzz/replay_main.c"
