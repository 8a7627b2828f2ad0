/* Exports no entry symbol. list: "missing entry symbol 'losshost_plugin_entry'". */
int losshost_not_the_entry(void) { return 1; }
