/* SPDX-License-Identifier: MIT */
/*
 * runtime/core/heap.c - an intrusive pairing heap for the loop's timers.
 *
 * Why a pairing heap: insertion is O(1) and allocation-free (the node lives
 * in the timer), removal of any node is O(log n) amortised, and the code is
 * short.  Starting ten million timers is then ten million pointer links;
 * the first expiry pays for organising them.
 *
 * Layout: `child` is a node's first child, `next` its next sibling, and
 * `prev` its previous sibling - or its parent when it is the first child.
 * The root has no prev and no next.
 */
#include <stddef.h>

#include "loop-internal.h"

static struct uring_heap_node *meld(struct uring_heap_node *a,
				    struct uring_heap_node *b,
				    uring__heap_less less)
{
	struct uring_heap_node *t;

	if (!a)
		return b;
	if (!b)
		return a;
	if (less(b, a)) {
		t = a;
		a = b;
		b = t;
	}
	/* b becomes a's first child */
	b->prev = a;
	b->next = a->child;
	if (a->child)
		a->child->prev = b;
	a->child = b;
	return a;
}

/* Two-pass merge of a sibling list, iterative so that a root with millions
 * of children cannot overflow the stack. */
static struct uring_heap_node *merge_pairs(struct uring_heap_node *first,
					   uring__heap_less less)
{
	struct uring_heap_node *pairs = NULL, *root = NULL, *a, *b, *n;

	/* pass 1, left to right: meld neighbours; stack the results */
	while (first) {
		a = first;
		b = a->next;
		first = b ? b->next : NULL;
		a->next = a->prev = NULL;
		if (b)
			b->next = b->prev = NULL;
		a = meld(a, b, less);
		a->next = pairs;
		pairs = a;
	}
	/* pass 2, right to left: meld everything into one tree */
	while (pairs) {
		n = pairs->next;
		pairs->next = NULL;
		root = meld(root, pairs, less);
		pairs = n;
	}
	return root;
}

void uring__heap_insert(struct uring_heap_node **root,
			struct uring_heap_node *node, uring__heap_less less)
{
	node->child = node->next = node->prev = NULL;
	*root = meld(*root, node, less);
}

void uring__heap_remove(struct uring_heap_node **root,
			struct uring_heap_node *node, uring__heap_less less)
{
	struct uring_heap_node *sub;

	if (node == *root) {
		*root = merge_pairs(node->child, less);
	} else {
		/* unlink node (and its subtree) from its sibling list */
		if (node->prev->child == node)
			node->prev->child = node->next;
		else
			node->prev->next = node->next;
		if (node->next)
			node->next->prev = node->prev;
		sub = merge_pairs(node->child, less);
		*root = meld(*root, sub, less);
	}
	node->child = node->next = node->prev = NULL;
}
