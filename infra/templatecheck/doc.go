// Package templatecheck holds only tests: they fail when the deployed
// infrastructure drifts from the code and the contract.
//
// They read template.yaml as a Cognito deployment outside China gets it
// (cognitoMode), and also, in modes_test.go, as an OIDC deployment in the
// China regions does, and check, against template.yaml, the Makefile,
// api/openapi.yaml and the function packages, that:
//   - every HttpApi route belongs to a function on a declared HttpApi, and no
//     two routes share a method and path;
//   - every route except the public catalogue reads (GET /v1/centres…,
//     GET /v1/offerings, GET /v1/offerings/{offering_id}, the privacy notice and a
//     calendar feed's secret address) has the Cognito JWT
//     authorizer (issuer the user pool, audience its app client), and no
//     /_local route is deployed;
//   - every function is provided.al2023 on arm64 with handler bootstrap, is
//     built by the Makefile (BuildMethod makefile), and `make
//     build-<LogicalId>` really produces an arm64 ELF bootstrap of its
//     functions/<name>/lambda package, and `make build` builds exactly the
//     template's functions;
//   - IAM policies are least privilege: no wildcards, only DynamoDB data-plane
//     actions on the template's table and indexes, no SAM policy templates,
//     no write actions for read-only functions, no non-existent
//     dynamodb:Transact* actions;
//   - the table (one, on-demand, PITR, SSE, TTL, deletion protection), the
//     stack outputs and the Cognito groups are as the system needs them;
//   - api/openapi.yaml is OpenAPI 3.1, describes exactly the template's routes
//     (operationId = event name, x-function = function), marks exactly the
//     public routes `security: []`, lists exactly apperr.Codes() as Problem
//     codes, and has no dangling $ref;
//   - every function is either an HTTP function (HttpApi routes, its New an
//     http.Handler), a scheduled one (Schedule events, its New a
//     lambdafn.Job, no routes) or a user pool trigger (named by the pool's
//     LambdaConfig, in local.Triggers, no events), never two and never
//     none;
//   - the user pool is hardened (cognito_test.go): Retain and deletion
//     protection, TOTP-only optional MFA, a password policy, sign-up by
//     SelfSignUp, the schema and username attribute it was made with,
//     PreventUserExistenceErrors; its three triggers are AccountsFunction,
//     which only the pool may invoke and whose role may call
//     AdminAddUserToGroup and AdminGetUser on the pool alone; a WAF web ACL
//     on the pool rate-limits sign-up, resend-code and forgot-password per
//     IP by SignUpRateLimit;
//   - each HTTP function's handler (its package's New) serves its template
//     routes and no other function's, its mux registers no route the template
//     lacks, protected routes answer 401 without a caller, and the DynamoDB
//     calls the public routes make are allowed by the function's policy;
//   - every schedule is one the local stack keeps exactly (no L, W or #), the
//     daily snapshot fires at 23:55 Asia/Shanghai, a scheduled function
//     registers no HTTP route, and the DynamoDB calls a job makes are allowed
//     by its policy;
//   - in both modes (TestAuthModes), the Cognito resources are there or
//     not, the JWT authorizer trusts the user pool or the OIDC parameters,
//     no function is told or allowed a user pool or channel it does not
//     have, the China regions' web front end reads through an origin
//     access identity, and no kept resource or output refers to one left
//     out; no ARN names the aws partition literally (TestARNsNamePartition).
package templatecheck
