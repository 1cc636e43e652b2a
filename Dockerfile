# syntax=docker/dockerfile:1
# The slim frontend image: one static binary on scratch.
# Build: docker buildx build -t org/slim .

FROM golang:1.26 AS build
WORKDIR /src
ENV CGO_ENABLED=0
COPY . .
ARG VERSION=dev
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    go build -trimpath -tags slimimage -ldflags "-s -w -X main.version=${VERSION}" -o /out/slim-frontend ./cmd/slim-frontend

FROM scratch
COPY --from=build /out/slim-frontend /bin/slim-frontend
LABEL moby.buildkit.frontend.network.none="true"
LABEL moby.buildkit.frontend.caps="moby.buildkit.frontend.inputs,moby.buildkit.frontend.subrequests,moby.buildkit.frontend.contexts"
ENTRYPOINT ["/bin/slim-frontend"]
