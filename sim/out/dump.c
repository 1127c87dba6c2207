/* Message dumps; see dump.h. */
#include "sim/out/dump.h"

#include "protocol/message.h"
#include "sim/core/assert.h"

struct SimMessageDump {
    char *dir;
    GHashTable *seen; /* file names written (char *), for lookup only */
    uint64_t written;
    GError *error; /* the first failed write */
};

SimMessageDump *sim_message_dump_new(const char *dir, GError **error)
{
    SIM_ASSERT(dir != NULL);
    if (g_mkdir_with_parents(dir, 0777) != 0) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "cannot create \"%s\"", dir);
        return NULL;
    }
    SimMessageDump *dump = g_new0(SimMessageDump, 1);
    dump->dir = g_strdup(dir);
    dump->seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    return dump;
}

static void observe(void *user_data, uint32_t target, uint32_t source, GBytes *bytes)
{
    (void)target, (void)source;
    SimMessageDump *dump = user_data;
    if (dump->error != NULL) return;
    gsize len;
    const uint8_t *data = g_bytes_get_data(bytes, &len);
    const char *type = len >= 2 && data[1] > 0 && data[1] < PROTO_MSG_TYPE_COUNT_
                           ? proto_msg_type_name((ProtoMsgType)data[1])
                           : "undecodable";
    char *hash = g_compute_checksum_for_bytes(G_CHECKSUM_SHA256, bytes);
    char *name = g_strdup_printf("%s-%.16s.msg", type, hash);
    g_free(hash);
    if (g_hash_table_contains(dump->seen, name)) {
        g_free(name);
        return;
    }
    char *path = g_build_filename(dump->dir, name, NULL);
    g_hash_table_add(dump->seen, name);
    if (g_file_set_contents(path, (const char *)data, (gssize)len, &dump->error)) dump->written++;
    g_free(path);
}

void sim_message_dump_observe(SimMessageDump *dump, SimRunConfig *config)
{
    SIM_ASSERT(dump != NULL);
    SIM_ASSERT(config->message_observer == NULL);
    config->message_observer = observe;
    config->message_observer_data = dump;
}

uint64_t sim_message_dump_written(const SimMessageDump *dump)
{
    return dump->written;
}

gboolean sim_message_dump_free(SimMessageDump *dump, GError **error)
{
    if (dump == NULL) return TRUE;
    gboolean ok = dump->error == NULL;
    if (!ok) g_propagate_error(error, dump->error);
    g_hash_table_unref(dump->seen);
    g_free(dump->dir);
    g_free(dump);
    return ok;
}
