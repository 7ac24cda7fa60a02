/* SPDX-License-Identifier: GPL-2.0 */
/* Socket owners: which process a socket belongs to, learned whenever it
 * is used in process context (see the README on owners). */
#ifndef PKTPATH_OWNER_H
#define PKTPATH_OWNER_H

#define PF_KTHREAD 0x00200000
/* THREAD_SIZE on x86_64 without KASAN, when the stack's own size cannot
 * be read (no CONFIG_VMAP_STACK). */
#define TASK_STACK_DEFAULT (16 << 10)

/* The size of task t's stack: read, not assumed, because a window larger
 * than the stack reaches into neighbouring vmalloc areas, such as the
 * per-CPU IRQ stacks where softirqs run, and would mistake softirq for
 * the interrupted task (seen: ACKs attributed to cc1). */
static __always_inline __u64 task_stack_size(struct task_struct *t)
{
	if (bpf_core_field_exists(t->stack_vm_area)) {
		struct vm_struct *vm = BPF_CORE_READ(t, stack_vm_area);
		__u32 pages = vm ? BPF_CORE_READ(vm, nr_pages) : 0;
		if (pages && pages <= 16)
			return (__u64)pages << 12;
	}
	return TASK_STACK_DEFAULT;
}

/* Did the current task enter the kernel by a system call? Its registers at
 * the top of its stack say: orig_ax holds the call's number, and -1 after
 * an interrupt or exception. Needed because an interrupt that arrives
 * while a process runs in user mode is handled, softirqs included, on that
 * process's own kernel stack (x86_64 runs softirqs at interrupt exit on the
 * current stack), where the stack test below cannot tell it from the
 * process's own system calls: a TCP retransmission from the timer would be
 * put down to whatever ran in user mode. Interrupts that arrive during a
 * system call run on the per-CPU IRQ stack and fail the stack test. (The
 * per-CPU preempt count would say "in softirq" directly, but its address is
 * not in kallsyms without KALLSYMS_ALL.) */
static __always_inline bool entered_by_syscall(struct task_struct *t)
{
	struct pt_regs *regs;
	if (bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_task_pt_regs))
		regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf()); /* wants a BTF task */
	else /* before 5.15: they sit at the very top of the stack */
		regs = (struct pt_regs *)((__u64)BPF_CORE_READ(t, stack) + task_stack_size(t)) - 1;
	return (long)BPF_CORE_READ(regs, orig_ax) >= 0;
}

/* True in a system call of a user process; false in kernel threads, in
 * softirq/hardirq/NMI and in exceptions. Only in the first case is
 * `current` the user of the socket at hand. Which stack: a raw
 * tracepoint's ctx (the argument array) lives in the frame of the
 * kernel's tracepoint dispatcher, on the stack the event happened on; a
 * kprobe's pt_regs and a trampoline's argument block do too. (Our own
 * frame is no evidence: newer kernels give BPF programs a private per-CPU
 * stack.) */
static __always_inline bool in_user_task(void *ctx)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	if (BPF_CORE_READ(t, flags) & PF_KTHREAD)
		return false;
	__u64 base = (__u64)BPF_CORE_READ(t, stack);
	/* ctx as a plain number: the verifier forbids arithmetic on a ctx
	 * pointer, so read the spilled pointer back as data. */
	void *volatile spill = ctx;
	__u64 at = 0;
	bpf_probe_read_kernel(&at, sizeof(at), (void *)&spill);
	return at - base < task_stack_size(t) && entered_by_syscall(t);
}

/* Before Linux 6.0 a cgroup kept its ancestors' ids, not pointers. */
struct cgroup___ids {
	int level;
	__u64 ancestor_ids[];
} __attribute__((preserve_access_index));

/* The id of the current task's cgroup v2 ancestor at depth level, 0 when
 * the task sits higher. Read from the task rather than with
 * bpf_get_current_ancestor_cgroup_id, which kprobe and fentry programs
 * may not call before Linux 5.11 (the verifier refuses the whole object).
 * Out of line: its locals must not add to the frame of the programs,
 * which with the filter's frame sit near the kernel's 512-byte limit. */
static __noinline __u64 current_ancestor_cgroup_id(__u32 level)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	struct cgroup *cg = BPF_CORE_READ(t, cgroups, dfl_cgrp);
	__u64 id = 0;
	if (!cg || BPF_CORE_READ(cg, level) < (int)level)
		return 0;
	if (bpf_core_field_exists(cg->ancestors)) {
		struct cgroup *a = NULL;
		bpf_probe_read_kernel(&a, sizeof(a), &cg->ancestors[level & 0xff]);
		if (a)
			id = BPF_CORE_READ(a, kn, id);
	} else {
		struct cgroup___ids *old = (void *)cg;
		bpf_probe_read_kernel(&id, sizeof(id), &old->ancestor_ids[level & 0xff]);
	}
	return id;
}

static __always_inline void owner_from_current(struct pp_owner *o)
{
	__u64 id = bpf_get_current_pid_tgid();
	o->tgid = id >> 32;
	o->pid = (__u32)id;
	o->uid = (__u32)bpf_get_current_uid_gid();
	o->cgroup = bpf_get_current_cgroup_id();
	/* In the selected cgroup or below it: its ancestor at the selected
	 * cgroup's depth is that cgroup (0 when the task sits higher). */
	if (cfg_cgroup_id && (o->cgroup == cfg_cgroup_id || current_ancestor_cgroup_id(cfg_cgroup_level) == cfg_cgroup_id))
		o->flags = PP_OWNER_IN_CGROUP;
	bpf_get_current_comm(o->comm, sizeof(o->comm));
}

/* The owner of sk, refreshed from current when we run in the context of a
 * user task (that task is then the one using the socket). Writes only when
 * the owner changed: this runs for every event. Returns NULL if unknown. */
static __always_inline struct pp_owner *owner_of(void *ctx, __u64 sk)
{
	if (!sk)
		return NULL;
	struct pp_owner *o = bpf_map_lookup_elem(&owners, &sk);
	/* The steady state, checked first because it is the cheap test: the
	 * thread that last used the socket is running. Whatever the context,
	 * nothing would be written. */
	__u32 pid = (__u32)bpf_get_current_pid_tgid();
	if (o && o->pid == pid)
		return o;
	if (!in_user_task(ctx))
		return o;
	/* The kernel's own sockets (per-namespace ICMP and TCP control
	 * sockets, sending replies and resets) belong to no process. */
	if (!BPF_CORE_READ((struct sock *)sk, sk_socket))
		return o;
	struct pp_owner n = {};
	owner_from_current(&n);
	bpf_map_update_elem(&owners, &sk, &n, BPF_ANY);
	return bpf_map_lookup_elem(&owners, &sk);
}

/* The owner the map knows, without learning (for program types that
 * cannot read the current task). */
static __always_inline struct pp_owner *owner_known(__u64 sk)
{
	return sk ? bpf_map_lookup_elem(&owners, &sk) : NULL;
}

static __always_inline bool same_comm(const char *comm)
{
	for (int i = 0; i < PP_COMM_LEN; i++) {
		if (comm[i] != cfg_owner_comm[i])
			return false;
		if (!comm[i])
			break;
	}
	return true;
}

static __always_inline void owner_note(void *ctx, __u64 sk)
{
	owner_of(ctx, sk);
}

#endif
