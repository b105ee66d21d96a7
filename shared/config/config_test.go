package config

import (
	"log/slog"
	"testing"
)

func TestFromLookup(t *testing.T) {
	env := func(m map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
	}
	c, err := FromLookup(env(map[string]string{"TABLE_NAME": "t", "ID_HASH_KEY": "0123456789abcdef", "LOG_LEVEL": "DEBUG"}))
	if err != nil || c.TableName != "t" || c.LogLevel != slog.LevelDebug || c.Region == "" {
		t.Fatalf("%+v %v", c, err)
	}
	for name, m := range map[string]map[string]string{
		"no table":  {"ID_HASH_KEY": "0123456789abcdef"},
		"short key": {"TABLE_NAME": "t", "ID_HASH_KEY": "short"},
		"bad level": {"TABLE_NAME": "t", "ID_HASH_KEY": "0123456789abcdef", "LOG_LEVEL": "LOUD"},
	} {
		if _, err := FromLookup(env(m)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
