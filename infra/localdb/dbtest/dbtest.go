// Package dbtest gives a test its own table on one shared DynamoDB, through
// the real SDK client, so store tests exercise real DynamoDB calls: the
// embedded server by default, or the one ENROL_TEST_DYNAMODB names (make
// test-fidelity runs the same tests against moto's server that way).
package dbtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/infra/localdb"
	"github.com/wuxi-enrol/enrol/infra/localkms"
	"github.com/wuxi-enrol/enrol/infra/samtemplate"
	"github.com/wuxi-enrol/enrol/shared/config"
	"github.com/wuxi-enrol/enrol/shared/keycustody"
	"github.com/wuxi-enrol/enrol/shared/lambdafn"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// EndpointVar names another DynamoDB for the tests (http://127.0.0.1:PORT).
const EndpointVar = "ENROL_TEST_DYNAMODB"

var (
	once     sync.Once
	endpoint string
	kmsSrv   *localkms.Server
	tmpl     *samtemplate.Template
	err      error
	tables   atomic.Int64
)

// Region is the region the tests' clients name.
const Region = "cn-north-1"

// External is the DynamoDB ENROL_TEST_DYNAMODB names, or "" for the
// embedded one.
func External() string { return os.Getenv(EndpointVar) }

func setup() {
	if tmpl, err = samtemplate.Load(localdb.TemplatePath()); err != nil {
		return
	}
	// The KMS stand-in, once per test process: its keys are the process's.
	if kmsSrv, err = localkms.Start("127.0.0.1:0"); err != nil {
		return
	}
	if endpoint = External(); endpoint != "" {
		return
	}
	var server *localdb.Server
	if server, err = localdb.Start("127.0.0.1:0"); err == nil {
		endpoint = server.URL
	}
}

// TableName is a table name no other test, package or run uses: test
// packages run in parallel processes against one external server.
func TableName() string {
	return fmt.Sprintf("enrol-test-%d-%d", os.Getpid(), tables.Add(1))
}

// DropAtCleanup deletes table name on endpoint when t ends, so a long run
// against one external server does not pile tables up.
func DropAtCleanup(t testing.TB, endpoint, name string) {
	t.Helper()
	db, err := store.NewClient(context.Background(), config.Config{DynamoDBEndpoint: endpoint, Region: Region, DynamoDBNoCapacity: External() != ""})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, err := db.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(name)})
		if _, gone := errors.AsType[*types.ResourceNotFoundException](err); err != nil && !gone { // a test may delete it itself
			t.Errorf("delete table %s: %v", name, err)
		}
	})
}

// Config is a function configuration pointing at a fresh table, deleted
// when t ends.
func Config(t testing.TB) config.Config {
	t.Helper()
	once.Do(setup)
	if err != nil {
		t.Fatalf("DynamoDB for tests: %v", err)
	}
	// A table per test: minidyn's transactions snapshot the whole table, so
	// small tables keep tests fast, and tests cannot see each other's data.
	name := TableName()
	cfg := config.Config{TableName: name, DynamoDBEndpoint: endpoint, Region: Region,
		IdentityKeyID: kmsSrv.IdentityKey, PersonalDataKeyID: kmsSrv.PersonalDataKey, KMSEndpoint: kmsSrv.URL,
		DynamoDBNoCapacity: External() != ""} // moto: see config.Config
	db, err := store.NewClient(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := localdb.CreateTable(context.Background(), db, tmpl, name); err != nil {
		t.Fatalf("create table on %s: %v", endpoint, err)
	}
	DropAtCleanup(t, endpoint, name)
	return cfg
}

// Store is a store on a fresh table, sealing personal fields with the KMS
// stand-in, with its raw client for checks; opts configure the client
// further (faults.Injector.Option).
func Store(t testing.TB, opts ...func(*dynamodb.Options)) (*store.Store, *dynamodb.Client) {
	t.Helper()
	st, _, db := Custody(t, opts...)
	return st, db
}

// Custody is Store with the identities that go with it (KMS GenerateMac on
// the stand-in's identity key), as a function's Deps have them.
func Custody(t testing.TB, opts ...func(*dynamodb.Options)) (*store.Store, *keycustody.Identities, *dynamodb.Client) {
	t.Helper()
	return CustodyOn(t, Config(t), opts...)
}

// CustodyOn is Custody on the table cfg names (a second client of a test's
// table, or one whose name the test keeps).
func CustodyOn(t testing.TB, cfg config.Config, opts ...func(*dynamodb.Options)) (*store.Store, *keycustody.Identities, *dynamodb.Client) {
	t.Helper()
	db, err := store.NewClient(context.Background(), cfg, opts...)
	if err != nil {
		t.Fatal(err)
	}
	st, ids, err := lambdafn.Custody(context.Background(), cfg, db)
	if err != nil {
		t.Fatal(err)
	}
	return st, ids, db
}

// KMS is the test process's KMS stand-in.
func KMS(t testing.TB) *localkms.Server {
	t.Helper()
	once.Do(setup)
	if err != nil {
		t.Fatalf("KMS for tests: %v", err)
	}
	return kmsSrv
}
