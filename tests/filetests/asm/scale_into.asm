# scale_into (array(float64, 1d, C), array(float64, 1d, C), float, int)
  pushq %rbp
  unwind PushFrameRegs { offset_upward_to_caller_sp: 16 }
  movq %rsp, %rbp
  unwind DefineNewFrame { offset_upward_to_caller_sp: 16, offset_downward_to_clobbers: 0 }
block0:
  movq (%rdi), %rax
  movq 8(%rdi), %rax
  movq 0x10(%rdi), %rax
  movq 0x18(%rdi), %rcx
  movq 0x20(%rdi), %rcx
  movq 0x28(%rdi), %rcx
  movq 0x30(%rdi), %rsi
  movq 0x38(%rdi), %rcx
  vmovsd 0x40(%rdi), %xmm0
  movq 0x48(%rdi), %rcx
  movl 4(%rdx), %r8d
  leal 1(%r8), %r9d
  movl %r9d, 4(%rdx)
  jmp     label1
block1:
  movl 8(%rdx), %r9d
  leal 1(%r8), %r8d
  cmpl %r9d, %r8d
  jnbe    label15; j label2
block2:
  jmp     label3
block3:
  jmp     label4
block4:
  movq %rcx, %r9
  addq $0x0, %r9
  seto %r8b
  cmpq %rsi, %r9
  setg %sil
  orl %r8d, %esi
  testb %sil, %sil
  jnz     label5; j label6
block6:
  addq $0x0, %rcx
  seto %sil
  cmpq %rax, %rcx
  setg %r8b
  orl %esi, %r8d
  testb %r8b, %r8b
  jnz     label7; j label8
block8:
  uninit  %rax
  xorq %rax, %rax
  movq 0x48(%rdi), %r8
  movq 0x20(%rdi), %r9
  vmovsd 0x40(%rdi), %xmm0
  movq (%rdi), %r10
  jmp     label9
block9:
  cmpq %r8, %rax
  jnl     label12; j label10
block10:
  vmulsd (%r9, %rax, 8), %xmm0, %xmm1
  vmovsd %xmm1, (%r10, %rax, 8)
  jmp     label11
block11:
  leaq 1(%rax), %rax
  jmp     label9
block12:
  jmp     label13
block13:
  addl $0xffffffff, 4(%rdx)
  uninit  %rax
  xorl %eax, %eax
  movq %rbp, %rsp
  popq %rbp
  retq
block5:
  jmp     label14
block7:
  jmp     label14
block14:
  movq (%rdi), %rax
  movq 8(%rdi), %rcx
  movq 0x10(%rdi), %rsi
  movq 0x18(%rdi), %r8
  movq %rax, 0x10(%rdx)
  movq %rcx, 0x18(%rdx)
  movq %rsi, 0x20(%rdx)
  movq %r8, 0x28(%rdx)
  movq 0x20(%rdi), %rax
  movq 0x28(%rdi), %rcx
  movq 0x30(%rdi), %rsi
  movq 0x38(%rdi), %r8
  movq %rax, 0x30(%rdx)
  movq %rcx, 0x38(%rdx)
  movq %rsi, 0x40(%rdx)
  movq %r8, 0x48(%rdx)
  vmovsd 0x40(%rdi), %xmm0
  vmovsd %xmm0, 0x50(%rdx)
  movq 0x48(%rdi), %rax
  movq %rax, 0x58(%rdx)
  movq $0x1, 0x60(%rdx)
  movq $0x0, 0x68(%rdx)
  movl $0x0, (%rdx)
  addl $0xffffffff, 4(%rdx)
  movl $0x2, %eax
  movq %rbp, %rsp
  popq %rbp
  retq
block15:
  movq (%rdi), %rax
  movq 8(%rdi), %rcx
  movq 0x10(%rdi), %rsi
  movq 0x18(%rdi), %r8
  movq %rax, 0x10(%rdx)
  movq %rcx, 0x18(%rdx)
  movq %rsi, 0x20(%rdx)
  movq %r8, 0x28(%rdx)
  movq 0x20(%rdi), %rax
  movq 0x28(%rdi), %rcx
  movq 0x30(%rdi), %rsi
  movq 0x38(%rdi), %r8
  movq %rax, 0x30(%rdx)
  movq %rcx, 0x38(%rdx)
  movq %rsi, 0x40(%rdx)
  movq %r8, 0x48(%rdx)
  vmovsd 0x40(%rdi), %xmm0
  vmovsd %xmm0, 0x50(%rdx)
  movq 0x48(%rdi), %rax
  movq %rax, 0x58(%rdx)
  movl $0x2, %eax
  movl $0x2, (%rdx)
  addl $0xffffffff, 4(%rdx)
  movq %rbp, %rsp
  popq %rbp
  retq
