# The image of the deployment project `sherpa azure init` / "Sherpa Azure: Create Deployment Project…"
# writes for someone without a clone (core/azure/deployment-project.ts): written there as infra/Dockerfile,
# next to the prebuilt sherpa.mjs that Sherpa ships. infra/Dockerfile's runtime stage without its build
# stage — there are no sources to build — and the same Node, user, port and command.
FROM node:24-alpine
ENV NODE_ENV=production
WORKDIR /app
COPY sherpa.mjs ./sherpa.mjs
# The base image's unprivileged user; the file stays root-owned, so the process cannot rewrite itself.
USER node
# Container Apps ingress targets this port (infra/modules/container-app.bicep targetPort, env PORT).
EXPOSE 8080
ENTRYPOINT ["node", "/app/sherpa.mjs"]
# The vulnerable app overrides this with `serve vulnerable` (container args in main.bicep).
CMD ["serve", "secure"]
