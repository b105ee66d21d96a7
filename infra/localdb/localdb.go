// Package localdb runs the embedded DynamoDB-compatible server (minidyn) on
// loopback and creates enrol's table from its definition in template.yaml,
// for the local stack and the tests.
package localdb

import (
	"context"
	"errors"
	"github.com/wuxi-enrol/enrol/infra/loopback"
	"net/http"
	"path/filepath"
	"runtime"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	miniserver "github.com/truora/minidyn/server"
	"github.com/wuxi-enrol/enrol/infra/samtemplate"
)

// TableLogicalID is the table's logical id in template.yaml.
const TableLogicalID = "EnrolTable"

// Server is a running embedded DynamoDB.
type Server struct {
	URL string
	srv *http.Server
	// journal keeps the data of a server Open started; nil for Start's.
	journal *journaled
}

// Start serves minidyn on addr ("127.0.0.1:0" for any free port), behind
// the guard that mends what its writes get wrong (guard.go).
func Start(addr string) (*Server, error) {
	url, srv, err := loopback.Serve(addr, newGuard(miniserver.NewServer()))
	if err != nil {
		return nil, err
	}
	return &Server{URL: url, srv: srv}, nil
}

// Close stops the server: Start's data is gone, Open's is in its folder.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	if s.journal != nil {
		err = errors.Join(err, s.journal.close())
	}
	return err
}

// TemplatePath is template.yaml at the repository root, found from this
// source file so tests in any package read the one definition.
func TemplatePath() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "template.yaml")
}

// CreateTable creates table name as template.yaml defines EnrolTable; an
// existing table is left as it is (real DynamoDB through DYNAMODB_ENDPOINT).
func CreateTable(ctx context.Context, db *dynamodb.Client, tmpl *samtemplate.Template, name string) error {
	in, err := tmpl.Table(TableLogicalID)
	if err != nil {
		return err
	}
	in.TableName = aws.String(name)
	_, err = db.CreateTable(ctx, in)
	if _, exists := errors.AsType[*types.ResourceInUseException](err); exists {
		return nil
	}
	return err
}
