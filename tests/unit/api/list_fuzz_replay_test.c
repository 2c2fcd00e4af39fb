/* Replays fuzz/corpus/api_list (seeds and inputs that once failed) through the fuzz target
 * compiled without libFuzzer, under the test build's ASan/UBSan (STYLE.md §13). */
#define FUZZ_REPLAY_DEFAULT_DIR CK_SOURCE_DIR "/fuzz/corpus/api_list"
#include "../../../fuzz/fuzz_api_list.c"
#include "../../../fuzz/replay_main.c"
