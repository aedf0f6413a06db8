# One image for the three services and the dev tools; the command picks which one runs:
#   docker run IMAGE node dist/apps/outbound-pager/main.js
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY . .
RUN npm run build && npm prune --omit=dev --ignore-scripts

FROM node:20-bookworm-slim
ENV NODE_ENV=production
# The heap settings the benches measure (bench B5: < 200 MB RSS); k8s/base sets the same.
ENV NODE_OPTIONS="--max-old-space-size=128 --max-semi-space-size=8"
WORKDIR /app
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --from=build --chown=node:node /app/package.json ./package.json
USER node
EXPOSE 3001 3002 3003
CMD ["node", "dist/apps/channel-config/main.js"]
