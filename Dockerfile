# syntax=docker/dockerfile:1
# callboard: UI built with Node, server built with Go (static, no cgo), run as non-root.

FROM node:20-bookworm-slim AS ui
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY vite.config.ts tsconfig.json ./
COPY ui ./ui
RUN npm run build

FROM golang:1.26-bookworm AS server
WORKDIR /src
ENV CGO_ENABLED=0
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# Replace the placeholder dist with the built UI before embedding it.
RUN rm -rf ui/dist
COPY --from=ui /src/ui/dist ./ui/dist
ARG VERSION=dev
RUN go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/callboard ./cmd/callboard \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=server /out/callboard /usr/local/bin/callboard
# The SQLite database (users, sessions, audit): owned by nonroot (uid 65532), kept on a volume.
COPY --from=server --chown=65532:65532 /out/data /data
USER nonroot:nonroot
EXPOSE 8080
VOLUME ["/data"]
ENV CALLBOARD_LISTEN=0.0.0.0:8080 \
    CALLBOARD_DATA_DIR=/data
ENTRYPOINT ["/usr/local/bin/callboard"]
CMD ["serve"]
