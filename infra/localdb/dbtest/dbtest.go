// Package dbtest gives a test its own table on one shared embedded DynamoDB,
// through the real SDK client, so store tests exercise real DynamoDB calls.
package dbtest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/wuxi-enrol/enrol/infra/localdb"
	"github.com/wuxi-enrol/enrol/infra/samtemplate"
	"github.com/wuxi-enrol/enrol/shared/config"
	"github.com/wuxi-enrol/enrol/shared/store"
)

var (
	once   sync.Once
	server *localdb.Server
	tmpl   *samtemplate.Template
	err    error
	tables atomic.Int64
)

// HashKey is the ID-number HMAC key used in tests.
const HashKey = "test-key-0123456789abcdef"

// Config is a function configuration pointing at a fresh table.
func Config(t testing.TB) config.Config {
	t.Helper()
	once.Do(func() {
		if tmpl, err = samtemplate.Load(localdb.TemplatePath()); err != nil {
			return
		}
		server, err = localdb.Start("127.0.0.1:0")
	})
	if err != nil {
		t.Fatalf("embedded DynamoDB: %v", err)
	}
	// A table per test: minidyn's transactions snapshot the whole table, so
	// small tables keep tests fast, and tests cannot see each other's data.
	name := fmt.Sprintf("enrol-test-%d", tables.Add(1))
	cfg := config.Config{TableName: name, IDHashKey: []byte(HashKey), DynamoDBEndpoint: server.URL, Region: "cn-north-1"}
	db, err := store.NewClient(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := localdb.CreateTable(context.Background(), db, tmpl, name); err != nil {
		t.Fatalf("create table: %v", err)
	}
	return cfg
}

// Store is a store on a fresh table, with its raw client for checks; opts
// configure the client further (faults.Injector.Option).
func Store(t testing.TB, opts ...func(*dynamodb.Options)) (*store.Store, *dynamodb.Client) {
	t.Helper()
	cfg := Config(t)
	db, err := store.NewClient(context.Background(), cfg, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return store.New(db, cfg.TableName), db
}
