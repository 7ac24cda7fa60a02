/* cgroup path shapes -> names (cmd/attach/cgroup.c): systemd units, Docker,
 * containerd/CRI, CRI-O, Kubernetes pods under both cgroup drivers, and
 * escaping of hostile paths in text and JSON. Pure: no cgroup fs needed. */
#include <stdlib.h>
#include <string.h>

#include "cmd/attach/cgroup.h"
#include "unit.h"

#define ID64 "3f2a1b9c0d1e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f90"

static char out[1024];

static const char *text(const char *path)
{
	struct strbuf sb = {0};
	cg_text(&sb, 77, path);
	snprintf(out, sizeof(out), "%s", sb.s ? sb.s : "");
	sb_free(&sb);
	return out;
}

static const char *json(const char *path)
{
	struct strbuf sb = {0};
	cg_json(&sb, path);
	snprintf(out, sizeof(out), "%s", sb.s ? sb.s : "");
	sb_free(&sb);
	return out;
}

int main(void)
{
	CHECK_STR("systemd service", text("/system.slice/nginx.service"), " svc nginx.service");
	CHECK_STR("session scope", text("/user.slice/user-1000.slice/session-3.scope"), " scope session-3.scope");
	CHECK_STR("user slice", text("/user.slice/user-1000.slice"), " user 1000");
	CHECK_STR("user service", text("/user.slice/user-1000.slice/user@1000.service/app.slice/foo.service"),
		  " svc foo.service");
	CHECK_STR("docker scope (systemd driver)", text("/system.slice/docker-" ID64 ".scope"), " ctr 3f2a1b9c0d1e");
	CHECK_STR("docker cgroupfs driver", text("/docker/" ID64), " ctr 3f2a1b9c0d1e");
	CHECK_STR("a bare 64-hex directory elsewhere is no container", text("/other/" ID64), " cg /other/" ID64);
	CHECK_STR("CRI-O scope", text("/crio-" ID64 ".scope"), " ctr 3f2a1b9c0d1e");
	CHECK_STR("kubernetes burstable pod, containerd, systemd driver",
		  text("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234abcd_5678_90ef_1234_567890abcdef.slice/cri-containerd-" ID64 ".scope"),
		  " ctr 3f2a1b9c0d1e pod 1234abcd\xe2\x80\xa6 (burstable)");
	CHECK_STR("kubernetes guaranteed pod, cgroupfs driver",
		  text("/kubepods/pod1234abcd-5678-90ef-1234-567890abcdef/" ID64),
		  " ctr 3f2a1b9c0d1e pod 1234abcd\xe2\x80\xa6 (guaranteed)");
	CHECK_STR("kubernetes besteffort pod, cgroupfs driver, pod level",
		  text("/kubepods/besteffort/pod1234abcd-5678-90ef-1234-567890abcdef"),
		  " pod 1234abcd\xe2\x80\xa6 (besteffort)");
	CHECK_STR("a pod's own container scope is no service", text("/docker-" ID64 ".scope/init.scope"),
		  " ctr 3f2a1b9c0d1e");
	CHECK_STR("root: nothing", text("/"), "");
	CHECK_STR("unknown id", text(NULL), " cg #77");
	CHECK_STR("a short non-hex scope suffix is a plain scope", text("/docker-abc.scope"), " scope docker-abc.scope");
	CHECK_STR("escaped in text", text("/evil\x1b[2J\n.slice/x y.service"), " svc x\\x20y.service");
	CHECK_STR("escaped path in text", text("/evil\x1b[2J\n"), " cg /evil\\x1b[2J\\x0a");

	CHECK_STR("json: service", json("/system.slice/nginx.service"),
		  ",\"cgroup_path\":\"/system.slice/nginx.service\",\"service\":\"nginx.service\"");
	CHECK_STR("json: pod and container",
		  json("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-podab_cd.slice/crio-" ID64 ".scope"),
		  ",\"cgroup_path\":\"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-podab_cd.slice/crio-" ID64
		  ".scope\",\"container\":{\"runtime\":\"cri-o\",\"id\":\"" ID64 "\"},\"pod\":{\"uid\":\"ab-cd\",\"qos\":\"besteffort\"}");
	CHECK_STR("json: unknown", json(NULL), ",\"cgroup_path\":null");
	CHECK_STR("json: escaped", json("/a\"b\x01"), ",\"cgroup_path\":\"/a\\\"b\\u0001\"");
	CHECK_STR("json: user slice", json("/user.slice/user-42.slice"),
		  ",\"cgroup_path\":\"/user.slice/user-42.slice\",\"user_slice\":42");

	struct strbuf sb = {0};
	cg_text_full(&sb, 5, "/system.slice/docker-" ID64 ".scope");
	CHECK_STR("full text: path and the whole id", sb.s,
		  " cgroup /system.slice/docker-" ID64 ".scope container docker " ID64);
	sb_free(&sb);
	cg_free();
	return unit_failed;
}
