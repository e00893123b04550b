# The llbc frontend image: `docker build -t llbc-frontend .`, then build with it through
# BuildKit (see "Use llbc as a frontend" in README.md).
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY . .
# npm ci runs the build (the prepare script), which also trains the bundle's code cache.
RUN npm ci && node -e "import('./scripts/frontend-image.mjs').then((m) => m.keepCodeCache('dist/llbc.cjs'))"

FROM node:20-bookworm-slim
COPY --from=build /src/bin/llbc /src/bin/package.json /llbc/bin/
COPY --from=build /src/dist/llbc.cjs /src/dist/llbc.cjs.cache /src/dist/llb.json /src/dist/gateway.json /llbc/dist/
# buildkitd runs the frontend without a network when the image says it needs none.
LABEL moby.buildkit.frontend.network.none="true"
ENTRYPOINT ["node", "/llbc/bin/llbc", "frontend"]
